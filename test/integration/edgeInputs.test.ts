// Edge inputs stopped at the edge (issue 11): impossible dates, integers that do not fit their
// columns, and store files that spell a missing value NULL. Through the API, the workflows and the
// import CLI against the real stack.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import { DEFAULT_TRAINING } from '../../contracts/training.ts';
import { addDays, todayUtc } from '../../domain/dates.ts';
import { generate } from '../../scripts/data/generate.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { saleEvent } from '../../scripts/data/saleEvents.ts';
import { seedStores } from '../helpers/sales.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { assertInvalidInput } from '../helpers/invalidInput.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN = 'admin-key-for-edge-input-tests';
const cfg = testConfig({ API_KEYS: `edge:admin:${ADMIN}` });
type ErrorAnswer = { error: { code: string; message: string; field?: string } };

describe('edge inputs through the API', () => {
  let deps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  before(async () => {
    deps = createApiDeps(cfg);
    app = createApp(deps);
    await seedStores(deps.pool);
  });
  after(() => closeApiDeps(deps));

  const call = async (method: string, url: string, body?: unknown) => {
    const res = await app.request(url, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as ErrorAnswer & Record<string, unknown> };
  };
  const assertBadRequest = async (method: string, url: string, body: unknown, field: string, message: RegExp) => {
    const { status, body: answer } = await call(method, url, body);
    assert.equal(status, 400, `${method} ${url} ${JSON.stringify(body)}: ${JSON.stringify(answer)}`);
    assert.equal(answer.error.field, field);
    assert.match(answer.error.message, message);
  };

  it('answers an impossible or out-of-range date with 400 naming the field and the value', async () => {
    await assertBadRequest(
      'POST',
      '/v1/ingest/backfill',
      { from: '0000-00-00', to: '2015-01-02' },
      'from',
      /^from: 0000-00-00 is not a real calendar date$/,
    );
    await assertBadRequest(
      'POST',
      '/v1/ingest/backfill',
      { from: '2015-01-01', to: '0000-00-00' },
      'to',
      /0000-00-00 is not a real calendar date/,
    );
    await assertBadRequest(
      'POST',
      '/v1/ingest/backfill',
      { from: '0001-01-01', to: '2015-01-02' },
      'from',
      /0001-01-01 is before 1990-01-01/,
    );
    await assertBadRequest('POST', '/v1/ingest/runs', { date: '9999-12-31' }, 'date', /9999-12-31 is in the future/);
    await assertBadRequest(
      'POST',
      '/v1/training-runs',
      { asOf: '0001-01-01' },
      'asOf',
      /^asOf: 0001-01-01 is before 1990-01-01/,
    );
    await assertBadRequest(
      'POST',
      '/v1/training-runs',
      { asOf: '9999-12-31' },
      'asOf',
      /^asOf: 9999-12-31 is in the future \(latest allowed \d{4}-\d{2}-\d{2}\)$/,
    );
    await assertBadRequest('POST', '/v1/training-runs', { asOf: '0000-00-00' }, 'asOf', /not a real calendar date/);
    await assertBadRequest(
      'POST',
      '/v1/forecast',
      [{ store_id: 1, begin_date: '0001-01-01T00:00:00Z' }],
      '0.begin_date',
      /0001-01-01 is before 1990-01-01/,
    );
    await assertBadRequest(
      'POST',
      '/v1/forecast',
      [{ store_id: 1, end_date: '9999-12-31' }],
      '0.end_date',
      /9999-12-31 is more than 2 years ahead/,
    );
    await assertBadRequest(
      'POST',
      '/v1/forecast',
      [{ store_id: 1, begin_date: '0000-00-00' }],
      '0.begin_date',
      /not a real calendar date/,
    );
  });

  it('answers a store number beyond a Postgres integer with 400 naming the field, on every route', async () => {
    await assertBadRequest(
      'POST',
      '/v1/forecast',
      [{ store_id: 2147483648 }],
      '0.store_id',
      /from 1 to 2147483647, got 2147483648/,
    );
    await assertBadRequest('POST', '/v1/forecast', [{ store_id: '99999999999' }], '0.store_id', /from 1 to 2147483647/);
    await assertBadRequest(
      'GET',
      '/v1/stores/2147483648/products',
      undefined,
      'id',
      /from 1 to 2147483647\), got 2147483648/,
    );
    await assertBadRequest('GET', '/v1/sales/history?store=2147483648', undefined, 'store', /from 1 to 2147483647/);
    await assertBadRequest('GET', '/v1/forecasts?store=2147483648', undefined, 'store', /from 1 to 2147483647/);
    await assertBadRequest('GET', '/v1/models/2147483648/all/versions', undefined, 'store', /from 1 to 2147483647/);
    await assertBadRequest('POST', '/v1/models/2147483648/all/retrain', {}, 'store', /from 1 to 2147483647/);
    // The largest store number that fits is a store that does not exist, not an error.
    assert.equal((await call('GET', '/v1/stores/2147483647/products')).status, 404);
    assert.equal((await call('POST', '/v1/forecast', [{ store_id: 2147483647 }])).status, 404);
  });

  it('rejects sales events with impossible dates and out-of-range numbers, each with its field and reason', async () => {
    const date = addDays(todayUtc(), -3);
    const { status, body } = await call('POST', '/v1/sales/events', [
      saleEvent(1, date),
      saleEvent(1, '0001-01-01'),
      saleEvent(2, date, { sales: 1e308 }),
      saleEvent(3, date, { store_id: 2147483648 }),
      saleEvent(4, '0000-00-00'),
      saleEvent(5, date, { customers: 2.5 }),
    ]);
    assert.equal(status, 200);
    assert.equal(body.accepted, 1);
    assert.deepEqual(body.rejected, [
      { index: 1, field: 'date', reason: '0001-01-01 is before 1990-01-01, the earliest date accepted' },
      { index: 2, field: 'sales', reason: 'must be at most 10,000,000, got 1e+308' },
      { index: 3, field: 'store_id', reason: 'must be at most 2147483647, got 2147483648' },
      { index: 4, field: 'date', reason: '0000-00-00 is not a real calendar date' },
      { index: 5, field: 'customers', reason: 'must be a whole number, got 2.5' },
    ]);
    const { rows } = await deps.pool.query(`SELECT 1 FROM sales_events WHERE sale_date < '1990-01-01'`);
    assert.equal(rows.length, 0, 'no impossible date was staged');
  });
});

describe('edge inputs started as workflows directly', () => {
  let deps: ApiDeps;
  before(() => {
    deps = createApiDeps(cfg);
  });
  after(() => closeApiDeps(deps));

  it('dailyIngest, backfillIngest and weeklyTraining refuse impossible dates at once', async () => {
    const start = (type: string, queue: string, args: unknown[]) =>
      deps.temporal.workflow.start(type, { workflowId: uniqueId(`edge-${type}`), taskQueue: queue, args });
    await withWorker(cfg, cfg.temporal.taskQueues.ingest, async () => {
      await assertInvalidInput(
        await start('dailyIngest', cfg.temporal.taskQueues.ingest, [{ date: '0001-01-01' }]),
        /^date: 0001-01-01 is before 1990-01-01/,
      );
      await assertInvalidInput(
        await start('dailyIngest', cfg.temporal.taskQueues.ingest, [{ date: '9999-12-31' }]),
        /^date: 9999-12-31 is in the future/,
      );
      await assertInvalidInput(
        await start('backfillIngest', cfg.temporal.taskQueues.ingest, [
          { from: '0000-00-00', to: '2015-01-02', concurrency: 2 },
        ]),
        /^from: 0000-00-00 is not a real calendar date$/,
      );
      await assertInvalidInput(
        await start('backfillIngest', cfg.temporal.taskQueues.ingest, [
          { from: '2015-01-03', to: '2015-01-02', concurrency: 2 },
        ]),
        /^to: 2015-01-02 is before from \(2015-01-03\)$/,
      );
    });
    await withWorker(cfg, cfg.temporal.taskQueues.training, async () => {
      for (const asOf of ['0001-01-01', '9999-12-31']) {
        await assertInvalidInput(
          await start('weeklyTraining', cfg.temporal.taskQueues.training, [{ ...DEFAULT_TRAINING, asOf }]),
          new RegExp(`^asOf: ${asOf} is`),
        );
      }
    });
  });
});

describe('importing a store file that spells missing values NULL', () => {
  let deps: ApiDeps;
  let dir: string;
  before(async () => {
    deps = createApiDeps(cfg);
    dir = await mkdtemp(path.join(os.tmpdir(), 'rf-null-stores-'));
    generate([
      '--out',
      dir,
      '--stores',
      '40',
      '--from',
      '1995-01-01',
      '--to',
      '1995-01-31',
      '--seed',
      '7',
      '--products',
      '0',
    ]);
  });
  after(() => closeApiDeps(deps));

  /** The generated files with store numbers moved past every other test's, and blanks spelled `missing`. */
  async function files(name: string, offset: number, missing: string, spoil: (fields: string[]) => void = () => {}) {
    const optional = [3, 4, 5, 7, 8, 9];
    const stores = (await readFile(path.join(dir, 'store.csv'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line, i) => {
        if (i === 0) return line;
        const fields = line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
        fields[0] = String(Number(fields[0]) + offset);
        for (const f of optional) if (fields[f] === '') fields[f] = missing;
        spoil(fields);
        return fields.join(',');
      });
    const train = (await readFile(path.join(dir, 'train.csv'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line, i) => (i === 0 ? line : line.replace(/^\d+/, (s) => String(Number(s) + offset))));
    const out = { stores: path.join(dir, `${name}-store.csv`), train: path.join(dir, `${name}-train.csv`) };
    await writeFile(out.stores, `${stores.join('\n')}\n`);
    await writeFile(out.train, `${train.join('\n')}\n`);
    return {
      ...out,
      storeLines: stores.length - 1,
      trainLines: train.length - 1,
      nulls: stores.join('\n').split(missing).length - 1,
    };
  }
  // The CLI runs the importSales workflow: a worker serves it while the CLI runs.
  const importCli = (...args: string[]) =>
    withWorker(cfg, cfg.temporal.taskQueues.ingest, () =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'scripts/data/cli.ts', 'import', '--no-warehouse', ...args],
        { cwd: ROOT, env: process.env },
      ),
    );
  /** The rejected_rows source the CLI printed for a file (it names the uploaded object). */
  const sourceOf = (stdout: string, what: 'stores' | 'sales') =>
    new RegExp(`${what}: read .*?see rejected_rows where source = '([^']+)'`).exec(stdout)?.[1];
  const count = async (sql: string, from: number) =>
    (await deps.pool.query<{ n: number }>(sql, [from, from + 1000])).rows[0]!.n;

  it('loads every store and every sales row', async () => {
    const f = await files('null', 800_000, 'NULL');
    assert.ok(f.nulls > 40, `the store file spells its gaps NULL (${f.nulls})`);
    const { stdout } = await importCli('--stores', f.stores, '--train', f.train);
    assert.match(stdout, new RegExp(`stores: read ${f.storeLines}, loaded ${f.storeLines}, rejected 0`));
    assert.match(
      stdout,
      new RegExp(
        `sales: read ${f.trainLines.toLocaleString('en')}, loaded ${f.trainLines.toLocaleString('en')}, rejected 0`,
      ),
    );
    assert.equal(await count('SELECT count(*)::int AS n FROM stores WHERE store_id BETWEEN $1 AND $2', 800_000), 40);
    assert.equal(
      await count('SELECT count(*)::int AS n FROM sales WHERE store_id BETWEEN $1 AND $2', 800_000),
      f.trainLines,
    );
    assert.equal(
      (await count(
        'SELECT count(*)::int AS n FROM stores WHERE store_id BETWEEN $1 AND $2 AND competition_distance IS NULL',
        800_000,
      )) +
        (await count(
          'SELECT count(*)::int AS n FROM stores WHERE store_id BETWEEN $1 AND $2 AND promo_interval IS NULL',
          800_000,
        )) >
        0,
      true,
      'NULL became a missing value',
    );
  });

  it('counts the rows of a rejected store apart, and exits non-zero when more than the allowed share is rejected', async () => {
    const bad = new Set(['900001', '900002', '900003']);
    const f = await files('bad', 900_000, 'NA', (fields) => {
      if (bad.has(fields[0]!)) fields[3] = 'abc';
    });
    const result = await importCli('--stores', f.stores, '--train', f.train).then(
      () => undefined,
      (err: unknown) => err as { code: number; stdout: string; stderr: string },
    );
    assert.ok(result, 'the import exits non-zero');
    assert.equal(result.code, 1);
    const cascade = 3 * 31;
    assert.match(result.stdout, /stores: read 40, loaded 37, rejected 3 \(see rejected_rows/);
    assert.match(result.stdout, new RegExp(`sales: read 1,240, loaded 1,147, rejected ${cascade} `));
    assert.match(
      result.stdout,
      new RegExp(`${cascade} rows rejected because their store was rejected; 0 for other reasons`),
    );
    assert.match(
      result.stderr,
      /rejected more than 5% of the input: 3 of 40 stores \(7\.5%\); 93 of 1,240 sales rows \(7\.5%\)/,
    );
    const { rows } = await deps.pool.query<{ reason: string }>(
      `SELECT reason FROM rejected_rows WHERE source = $1 ORDER BY line`,
      [sourceOf(result.stdout, 'stores')],
    );
    assert.deepEqual(
      rows.map((r) => r.reason),
      Array(3).fill('CompetitionDistance: "abc" is not a whole number'),
    );
    const {
      rows: [row],
    } = await deps.pool.query<{ reason: string }>(`SELECT reason FROM rejected_rows WHERE source = $1 LIMIT 1`, [
      sourceOf(result.stdout, 'sales'),
    ]);
    assert.match(row!.reason, /^Store: store 90000[123] was rejected \(line [234] of the stores file\)$/);
    // A larger allowed share lets the same files pass.
    const { stdout } = await importCli('--stores', f.stores, '--train', f.train, '--max-rejected-share', '0.1');
    assert.match(stdout, /93 rows rejected because their store was rejected/);
  });
});
