// The importSales workflow against the real stack: chunks, duplicates across them, dates that
// existed before, a rejected store's cascade, exact counts in Postgres, GCS and BigQuery; the API
// routes and the CLI that start it. Stores 901-906, dates of 2008 and 2010 (no other test uses them).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import { importWorkflowId, type ImportSalesResult } from '../../contracts/imports.ts';
import { finishSalesImport, importSalesChunk, localTrainFile, planSalesImport } from '../../platform/salesImport.ts';
import { isoWeekday } from '../../domain/sales.ts';
import { metrics } from '../../platform/metrics.ts';
import { seedStores } from '../helpers/sales.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';
import { withWorker } from '../../workers/inProcess.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WRITER = 'writer-key-for-import-tests';
const cfg = testConfig({ API_KEYS: `importer:write:${WRITER}` });
const STORES_HEADER =
  'Store,StoreType,Assortment,CompetitionDistance,CompetitionOpenSinceMonth,CompetitionOpenSinceYear,Promo2,Promo2SinceWeek,Promo2SinceYear,PromoInterval';
const TRAIN_HEADER = 'Store,DayOfWeek,Date,Sales,Customers,Open,Promo,StateHoliday,SchoolHoliday';
const sale = (store: number, date: string, sales: number | string) =>
  `${store},${isoWeekday(date)},${date},${sales},${Number(sales) ? 50 : 0},1,0,0,0`;

describe('importSales against the real stack', () => {
  let deps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  let dir: string;
  before(async () => {
    deps = createApiDeps(cfg);
    app = createApp(deps);
    dir = await mkdtemp(path.join(os.tmpdir(), 'rf-import-'));
  });
  after(() => closeApiDeps(deps));

  const upload = async (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    await writeFile(file, `${lines.join('\n')}\n`);
    return deps.store.upload(file, `imports/test/${uniqueId(name)}`);
  };
  const runImport = (args: { storesUri?: string; trainUri?: string; calendarUri?: string; chunkLines?: number }) =>
    withWorker(
      cfg,
      cfg.temporal.taskQueues.ingest,
      () =>
        deps.temporal.workflow.execute('importSales', {
          workflowId: importWorkflowId(uniqueId('test')),
          taskQueue: cfg.temporal.taskQueues.ingest,
          args: [args],
        }) as Promise<ImportSalesResult>,
    );
  const reasons = async (source: string) => {
    const { rows } = await deps.pool.query<{ line: number; reason: string }>(
      'SELECT line, reason FROM rejected_rows WHERE source = $1 ORDER BY line',
      [source],
    );
    return Object.fromEntries(rows.map((r) => [r.line, r.reason]));
  };
  const salesOf = async (store: number, from: string, to: string) => {
    const [pg, bq] = await Promise.all([
      deps.pool.query<{ date: string; sales: number }>(
        'SELECT date, sales FROM sales WHERE store_id = $1 AND date BETWEEN $2 AND $3 ORDER BY date',
        [store, from, to],
      ),
      deps.warehouse.query<{ date: { value: string }; sales: number }>(
        `SELECT date, sales FROM ${deps.warehouse.table('sales')} WHERE store_id = @store AND date BETWEEN DATE(@from) AND DATE(@to) ORDER BY date`,
        { store, from, to },
      ),
    ]);
    return {
      postgres: pg.rows.map((r) => [r.date, r.sales]),
      bigquery: bq.map((r) => [r.date.value, Number(r.sales)]),
    };
  };

  it('imports in chunks: the first line of a key wins across chunks, a rejected store cascades, counts agree everywhere; a rerun duplicates nothing', async () => {
    // A day that `sales` holds before the import: its rows are upserted, its month exported from Postgres.
    await seedStores(deps.pool, [901]);
    await deps.pool
      .query(`INSERT INTO sales (store_id, date, sales, customers, open, promo, state_holiday, school_holiday)
      VALUES (901, '2010-02-01', 1, 1, true, false, '0', false) ON CONFLICT DO NOTHING`);
    const storesUri = await upload('store.csv', [
      STORES_HEADER,
      ...[901, 902, 903, 904, 905].map((s) => `${s},a,a,100,1,2005,0,,,`),
      '906,x,a,,,,0,,,',
    ]);
    const trainUri = await upload('train.csv', [
      TRAIN_HEADER, // 1; chunks of 5 lines: 1-5, 6-11 (a blank line), 12-13
      sale(901, '2010-03-01', 100), // 2 a new date: copied
      sale(902, '2010-03-01', 200), // 3
      sale(903, '2010-03-01', 'abc'), // 4 not a number
      sale(901, '2010-02-01', 111), // 5 a date that existed: upserted over the row that was there
      sale(902, '2010-02-01', 222), // 6 (chunk 1) a new key of a date that existed
      sale(901, '2010-03-01', 999), // 7 repeats line 2, of the chunk before
      sale(906, '2010-03-01', 300), // 8 its store was rejected
      '', // 9
      sale(904, '2010-03-02', 400), // 10
      sale(904, '2010-03-02', 401), // 11 repeats line 10, of the same chunk
      sale(901, '2010-02-01', 333), // 12 (chunk 2) repeats line 5, two chunks before, of a date that existed
      sale(905, '2010-03-03', 500), // 13
    ]);
    const first = await runImport({ storesUri, trainUri, chunkLines: 5 });
    assert.deepEqual(first.stores, {
      source: `import:${storesUri}`,
      read: 6,
      loaded: 5,
      rejected: 1,
      rejectedStores: [[906, 7]],
    });
    assert.deepEqual(first.sales, {
      source: `import:${trainUri}`,
      chunks: 3,
      read: 11,
      loaded: 6,
      upserted: 2,
      rejected: 5,
      rejectedWithStore: 1,
      skipped: 0,
      months: 2,
      counts: { postgres: 6, gcs: 6, bigquery: 6 },
    });
    assert.deepEqual(first.rejectedRows, [
      `SELECT * FROM rejected_rows WHERE source = 'import:${storesUri}' ORDER BY line`,
      `SELECT * FROM rejected_rows WHERE source = 'import:${trainUri}' ORDER BY line`,
    ]);
    assert.deepEqual(await reasons(`import:${trainUri}`), {
      4: 'Sales: must be a number, got "abc"',
      7: 'duplicate of line 2 (same store, product and date)',
      8: 'Store: store 906 was rejected (line 7 of the stores file)',
      11: 'duplicate of line 10 (same store, product and date)',
      12: 'duplicate of line 5 (same store, product and date)',
    });
    const firstValues = {
      postgres: [
        ['2010-02-01', 111],
        ['2010-03-01', 100],
      ],
      bigquery: [
        ['2010-02-01', 111],
        ['2010-03-01', 100],
      ],
    };
    assert.deepEqual(
      await salesOf(901, '2010-01-01', '2010-12-31'),
      firstValues,
      'the first line of each key landed, in Postgres and BigQuery',
    );
    const { rows: chunks } = await deps.pool.query<{ chunk: number }>(
      'SELECT chunk FROM sales_import_chunks WHERE import_id = $1 ORDER BY chunk',
      [first.importId],
    );
    assert.deepEqual(
      chunks.map((c) => c.chunk),
      [0, 1, 2],
    );

    const again = await runImport({ storesUri, trainUri, chunkLines: 5 });
    assert.deepEqual(
      again.sales,
      { ...first.sales, upserted: 6 },
      'every date exists now: every row is upserted, the same ones rejected',
    );
    assert.deepEqual(await salesOf(901, '2010-01-01', '2010-12-31'), firstValues);
    const {
      rows: [n],
    } = await deps.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sales WHERE store_id BETWEEN 901 AND 906 AND date BETWEEN '2010-01-01' AND '2010-12-31'`,
    );
    assert.equal(n!.n, 6);
  });

  it("imports Kaggle's test.csv as the planned calendar: bad lines kept with their reason, a rerun writes nothing twice", async () => {
    await seedStores(deps.pool, [907]);
    const calendarUri = await upload('test.csv', [
      '"Id","Store","DayOfWeek","Date","Open","Promo","StateHoliday","SchoolHoliday"', // 1
      '1,907,4,2015-09-17,1,1,"0","0"', // 2
      '2,907,5,2015-09-18,0,0,"a","1"', // 3
      '3,907,6,2015-09-19,,0,"0","0"', // 4 Open blank (the real file has such days)
      '4,908,4,2015-09-17,1,0,"0","0"', // 5 no such store
      '5,907,3,2015-09-20,1,0,"0","0"', // 6 the 20th is a Sunday
    ]);
    for (let run = 0; run < 2; run++) {
      const { calendar, rejectedRows } = await runImport({ calendarUri });
      assert.deepEqual(calendar, { source: `import:${calendarUri}`, read: 5, loaded: 2, rejected: 3 });
      assert.deepEqual(rejectedRows, [
        `SELECT * FROM rejected_rows WHERE source = 'import:${calendarUri}' ORDER BY line`,
      ]);
    }
    assert.deepEqual(await reasons(`import:${calendarUri}`), {
      4: 'Open: a value is required, got ""',
      5: 'Store: no store 908 (import its store.csv first)',
      6: 'DayOfWeek: 3 does not match date 2015-09-20 (7)',
    });
    const { rows } = await deps.pool.query(
      `SELECT to_char(date, 'YYYY-MM-DD') AS date, open, promo, state_holiday, school_holiday, source
       FROM planned_calendar WHERE store_id = 907 ORDER BY date`,
    );
    assert.deepEqual(rows, [
      {
        date: '2015-09-17',
        open: true,
        promo: true,
        state_holiday: '0',
        school_holiday: false,
        source: 'import:' + calendarUri,
      },
      {
        date: '2015-09-18',
        open: false,
        promo: false,
        state_holiday: 'a',
        school_holiday: true,
        source: 'import:' + calendarUri,
      },
    ]);
  });

  it('streams a month that comes back after others into another part, and still reconciles', async () => {
    const months = ['2010-06', '2010-07', '2010-08', '2010-06', '2010-09', '2010-07'];
    const trainUri = await upload('months.csv', [
      TRAIN_HEADER,
      ...months.map((m, i) => sale(904, `${m}-1${i}`, 10 + i)),
    ]);
    const { importId, sales } = await runImport({ trainUri });
    assert.deepEqual(
      { loaded: sales?.loaded, months: sales?.months, counts: sales?.counts },
      { loaded: 6, months: 4, counts: { postgres: 6, gcs: 6, bigquery: 6 } },
    );
    const [objects] = await deps.store.client
      .bucket(cfg.gcs.bucket)
      .getFiles({ prefix: `exports/sales/import=${importId}/` });
    assert.deepEqual(objects.map((o) => o.name.replace(`exports/sales/import=${importId}/`, '')).sort(), [
      'month=2010-06/chunk=0-1.ndjson',
      'month=2010-06/chunk=0.ndjson',
      'month=2010-07/chunk=0-1.ndjson',
      'month=2010-07/chunk=0.ndjson',
      'month=2010-08/chunk=0.ndjson',
      'month=2010-09/chunk=0.ndjson',
    ]);
  });

  it('upserts a whole chunk when another writer adds rows of its new dates while it copies, and exports their month', async () => {
    await seedStores(deps.pool, [905]);
    const file = path.join(dir, 'concurrent.csv');
    await writeFile(
      file,
      [TRAIN_HEADER, sale(905, '2010-10-01', 11), sale(905, '2010-10-02', 12), sale(905, '2010-10-03', 13)].join('\n'),
    );
    const local = localTrainFile(file);
    // The other writer lands a row of a "new" date after the chunk looked at the dates, before its COPY.
    const train = {
      ...local,
      bytes: (start: number, size: number) => {
        const rows = local.bytes(start, size);
        return (async function* () {
          await deps.pool
            .query(`INSERT INTO sales (store_id, date, sales, customers, open, promo, state_holiday, school_holiday)
          VALUES (905, '2010-10-02', 1, 1, true, false, '0', false) ON CONFLICT DO NOTHING`);
          yield* rows;
        })();
      },
    };
    const plan = await planSalesImport(deps.pool, uniqueId('concurrent'));
    const chunk = await importSalesChunk(deps, train, plan, { chunk: 0, offset: 0, line: 0 });
    assert.deepEqual(
      { loaded: chunk.loaded, upserted: chunk.upserted, streamed: chunk.streamed, exportMonths: chunk.exportMonths },
      { loaded: 3, upserted: 3, streamed: [], exportMonths: ['2010-10'] },
    );
    assert.deepEqual(await finishSalesImport(deps, file, plan, [chunk]), {
      months: 1,
      counts: { postgres: 3, gcs: 3, bigquery: 3 },
    });
    assert.deepEqual((await salesOf(905, '2010-10-01', '2010-10-31')).bigquery, [
      ['2010-10-01', 11],
      ['2010-10-02', 12],
      ['2010-10-03', 13],
    ]);
  });

  it("counts a chunk's rows in the ingest counters once, when it commits: a retried chunk counts nothing", async () => {
    await seedStores(deps.pool, [906]);
    const file = path.join(dir, 'counted.csv');
    await writeFile(
      file,
      [TRAIN_HEADER, sale(906, '2010-11-01', 11), sale(906, '2010-11-02', 12), sale(906, '2010-11-03', 'x')].join('\n'),
    );
    const counted = async () => {
      const { values } = await metrics.ingestRows.get();
      const of = (outcome: string) =>
        values.find((v) => v.labels.pipeline === 'import' && v.labels.outcome === outcome)?.value ?? 0;
      return { accepted: of('accepted'), rejected: of('rejected') };
    };
    const plan = await planSalesImport(deps.pool, uniqueId('counted'));
    const before = await counted();
    const first = await importSalesChunk(deps, localTrainFile(file), plan, { chunk: 0, offset: 0, line: 0 });
    assert.deepEqual([first.loaded + first.upserted, first.rejected], [2, 1]);
    const once = await counted();
    assert.deepEqual(once, { accepted: before.accepted + first.loaded, rejected: before.rejected + 1 });
    // The activity retried after its commit (a worker killed before it reported): the recorded chunk, no count.
    assert.deepEqual(await importSalesChunk(deps, localTrainFile(file), plan, { chunk: 0, offset: 0, line: 0 }), first);
    assert.deepEqual(await counted(), once);
  });

  it('fails at once, naming the field, for a file that is not in the bucket or lacks a column', async () => {
    await assert.rejects(
      runImport({ trainUri: `gs://${cfg.gcs.bucket}/imports/test/missing.csv` }),
      (err: Error & { cause?: { cause?: Error } }) =>
        err.cause?.cause?.message === `trainUri: object gs://${cfg.gcs.bucket}/imports/test/missing.csv does not exist`,
    );
    await assert.rejects(
      runImport({ trainUri: 'gs://another-bucket/train.csv' }),
      (err: Error & { cause?: { cause?: Error } }) =>
        err.cause?.cause?.message ===
        `trainUri: must be an object in the project bucket ${cfg.gcs.bucket}, got "gs://another-bucket/train.csv"`,
    );
    const trainUri = await upload('no-sales.csv', ['Store,DayOfWeek,Date', '901,1,2010-03-01']);
    await assert.rejects(
      runImport({ trainUri }),
      (err: Error & { cause?: { cause?: Error } }) =>
        err.cause?.cause?.message.startsWith(
          `${trainUri}: header lacks column(s) Sales, Customers, Open, Promo, StateHoliday, SchoolHoliday`,
        ) === true,
    );
  });

  it('POST /v1/imports starts an import (write key), GET /v1/imports/:id follows it to its summary', async () => {
    const post = (body: unknown, key: string | null = WRITER) =>
      app.request('/v1/imports', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      });
    assert.equal((await post({ trainUri: 'gs://x/y' }, null)).status, 401);
    const problem = async (res: Response) => ({
      status: res.status,
      error: ((await res.json()) as { error: { field?: string; message: string } }).error,
    });
    assert.deepEqual(await problem(await post({})), {
      status: 400,
      error: {
        code: 'invalid_request',
        field: 'trainUri',
        message: 'trainUri: give trainUri, storesUri, calendarUri or several',
      },
    });
    assert.deepEqual(await problem(await post({ trainUri: '/tmp/train.csv' })), {
      status: 400,
      error: { code: 'invalid_request', field: 'trainUri', message: 'trainUri: must be gs://<bucket>/<object>' },
    });
    assert.deepEqual(await problem(await post({ storesUri: `gs://${cfg.gcs.bucket}/imports/test/none.csv` })), {
      status: 400,
      error: {
        code: 'invalid_request',
        field: 'storesUri',
        message: `storesUri: object gs://${cfg.gcs.bucket}/imports/test/none.csv does not exist`,
      },
    });
    assert.equal((await post({ trainUri: 'gs://x/y', extra: 1 })).status, 400);

    const trainUri = await upload('api-train.csv', [
      TRAIN_HEADER,
      sale(903, '2008-05-05', 10),
      sale(903, '2008-05-06', 'x'),
    ]);
    const res = await post({ trainUri });
    assert.equal(res.status, 202);
    const started = (await res.json()) as {
      workflowId: string;
      runId: string;
      temporalUrl: string;
      links: { self: string };
    };
    assert.match(started.workflowId, /^import-sales-\d{8}T\d{6}-[0-9a-f]{6}$/);
    assert.equal(started.links.self, `/v1/imports/${started.workflowId}`);
    assert.ok(started.temporalUrl.includes(encodeURIComponent(started.workflowId)));
    const running = (await (await app.request(started.links.self)).json()) as { status: string };
    assert.equal(running.status, 'RUNNING', 'no worker yet: it waits');
    const done = await withWorker(cfg, cfg.temporal.taskQueues.ingest, () =>
      until('the import completed', async () => {
        const body = (await (await app.request(started.links.self)).json()) as {
          status: string;
          result?: ImportSalesResult;
        };
        return body.status === 'COMPLETED' && body;
      }),
    );
    assert.deepEqual(
      { ...done.result?.sales, counts: undefined },
      {
        source: `import:${trainUri}`,
        chunks: 1,
        read: 2,
        loaded: 1,
        upserted: 0,
        rejected: 1,
        rejectedWithStore: 0,
        skipped: 0,
        months: 1,
        counts: undefined,
      },
    );
    assert.deepEqual(done.result?.sales?.counts, { postgres: 1, gcs: 1, bigquery: 1 });
    assert.equal((await app.request('/v1/imports/import-sales-nope')).status, 404);
    assert.equal((await app.request('/v1/imports/daily-ingest-2008-05-05')).status, 404);
  });

  it('the CLI uploads, runs the workflow and prints its summary; without Temporal it says so', async () => {
    const cli = (env: NodeJS.ProcessEnv, ...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/data/cli.ts', 'import', ...args], {
        cwd: ROOT,
        env,
      });
    const train = path.join(dir, 'cli-train.csv');
    await writeFile(
      train,
      [TRAIN_HEADER, sale(904, '2008-06-02', 10), sale(904, '2008-06-03', 11), sale(904, '2008-06-04', 12)].join('\n'),
    );
    const { stdout } = await withWorker(cfg, cfg.temporal.taskQueues.ingest, () =>
      cli(process.env, '--train', train, '--chunk-lines', '2'),
    );
    assert.match(stdout, /uploaded .*cli-train\.csv to gs:\/\/.*\/imports\/\d{8}T\d{6}-[0-9a-f]{6}\/train\.csv/);
    assert.match(stdout, /import import-sales-\S+ started: http/);
    assert.match(
      stdout,
      /sales: read 3, loaded 3, rejected 0 \(see rejected_rows where source = 'import:gs:\/\/\S+'\); 1 month\(s\) loaded into BigQuery; 2 chunk\(s\)/,
    );
    assert.match(stdout, /rows of the imported dates: postgres 3, gcs 3, bigquery 3/);
    const down = await cli({ ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' }, '--train', train).then(
      () => undefined,
      (err: unknown) => err as { code: number; stderr: string },
    );
    assert.equal(down?.code, 1);
    assert.match(down?.stderr ?? '', /Temporal is not reachable at 127\.0\.0\.1:1 .*start the stack first/);
  });
});
