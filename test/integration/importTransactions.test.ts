// The importTransactions workflow against the real stack: the UCI export (quoted commas, blank
// customers, cancellations, Windows-1252 bytes, malformed lines) in chunks, Spark's daily files,
// exact counts that reconcile with Postgres, a rerun that adds nothing, a rerun of a changed file
// that leaves exactly the file's lines; the API routes and the CLI that start it. Every file is
// uploaded under a unique name, so its source is this test's alone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import {
  transactionImportWorkflowId,
  type ImportTransactionsInput,
  type ImportTransactionsResult,
} from '../../contracts/transactionImports.ts';
import { localSource } from '../../platform/transactionImport.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WRITER = 'writer-key-for-transaction-import-tests';
const cfg = testConfig({ API_KEYS: `importer:write:${WRITER}` });
const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

/** The UCI export as Excel writes it: CRLF, Windows-1252, quoted commas, blanks, cancellations, and two bad lines. */
const uciFile = () =>
  Buffer.concat([
    Buffer.from(
      [
        HEADER, // 1
        '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom', // 2
        '536370,22728,"ALARM CLOCK BAKELIKE PINK, SET OF 2",24,12/1/2010 8:45,3.75,12583,France', // 3
        '536370,22728,"ALARM CLOCK BAKELIKE PINK, SET OF 2",24,12/1/2010 8:45,3.75,12583,France', // 4 an exact duplicate: kept
        'C536379,D,Discount,-1,12/1/2010 9:41,27.5,14527,United Kingdom', // 5 a cancellation
        '536414,22139,,56,12/1/2010 11:52,0,,United Kingdom', // 6 blank description and customer
        '536416,22141,SIX,six,12/1/2010 11:54,1,17850,United Kingdom', // 7 bad quantity
        '', // 8
        '536417,22142,TOO FEW,1', // 9 too few fields
        '536418,22143,"CAF',
      ].join('\r\n'),
    ),
    Buffer.from([0xc9]), // 10 É in Windows-1252
    Buffer.from('",1,12/1/2010 11:55,1.5,17850,United Kingdom\r\n'),
    Buffer.from('536419,22144,LAST,2,12/9/2011 12:50,4.95,12680,France\r\n'), // 11
  ]);

describe('importTransactions against the real stack', () => {
  let deps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  let dir: string;
  before(async () => {
    deps = createApiDeps(cfg);
    app = createApp(deps);
    dir = await mkdtemp(path.join(os.tmpdir(), 'rf-retail-import-'));
  });
  after(() => closeApiDeps(deps));

  const upload = async (name: string, bytes: Buffer | string) => {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    return deps.store.upload(file, `imports/test/${uniqueId('retail')}/${name}`);
  };
  const runImport = (input: ImportTransactionsInput, workflowId = transactionImportWorkflowId(uniqueId('test'))) =>
    withWorker(
      cfg,
      cfg.temporal.taskQueues.ingest,
      () =>
        deps.temporal.workflow.execute('importTransactions', {
          workflowId,
          taskQueue: cfg.temporal.taskQueues.ingest,
          args: [input],
        }) as Promise<ImportTransactionsResult>,
    );
  const rowsOf = async (source: string) =>
    (
      await deps.pool.query<{
        line: number;
        invoice_no: string;
        description: string | null;
        quantity: number;
        invoice_date: string;
        unit_price: string;
        customer_id: number | null;
      }>(
        `SELECT line, invoice_no, description, quantity, to_char(invoice_date, 'YYYY-MM-DD HH24:MI:SS') AS invoice_date,
           unit_price::text, customer_id FROM transactions WHERE source = $1 ORDER BY line`,
        [source],
      )
    ).rows;
  const reasons = async (source: string) => {
    const { rows } = await deps.pool.query<{ line: string; reason: string }>(
      'SELECT line::text, reason FROM rejected_rows WHERE source = $1 ORDER BY line',
      [source],
    );
    return Object.fromEntries(rows.map((r) => [r.line, r.reason]));
  };

  it('imports the UCI export in chunks: valid lines land, bad ones are rejected with their reason, counts reconcile; a rerun adds nothing', async () => {
    const uri = await upload('online_retail.csv', uciFile());
    const source = `import:${uri}`;
    const first = await runImport({ uris: [uri], chunkLines: 3 });
    const file = { uri, source, bytes: uciFile().length, chunks: 3, read: 9, loaded: 7, written: 7, rejected: 2 };
    assert.deepEqual(first, {
      importId: first.importId,
      read: 9,
      loaded: 7,
      written: 7,
      rejected: 2,
      files: [file],
      rejectedRows: `SELECT * FROM rejected_rows WHERE source IN ('${source}') ORDER BY source, line`,
    });
    const rows = await rowsOf(source);
    assert.deepEqual(
      rows.map((r) => r.line),
      [2, 3, 4, 5, 6, 10, 11],
    );
    assert.equal(rows[1]!.description, 'ALARM CLOCK BAKELIKE PINK, SET OF 2');
    assert.deepEqual({ ...rows[2], line: 3 }, rows[1], 'the exact duplicate line is a row of its own');
    assert.deepEqual(
      { invoice: rows[3]!.invoice_no, quantity: rows[3]!.quantity },
      { invoice: 'C536379', quantity: -1 },
    );
    assert.deepEqual(
      { description: rows[4]!.description, customer: rows[4]!.customer_id, price: rows[4]!.unit_price },
      { description: null, customer: null, price: '0' },
    );
    assert.equal(rows[5]!.description, 'CAFÉ');
    assert.deepEqual(rows[6], {
      line: 11,
      invoice_no: '536419',
      description: 'LAST',
      quantity: 2,
      invoice_date: '2011-12-09 12:50:00',
      unit_price: '4.95',
      customer_id: 12680,
    });
    assert.deepEqual(await reasons(source), {
      7: 'Quantity: "six" is not a whole number',
      9: 'wrong number of fields: 4, the header has 8',
    });

    for (const chunkLines of [3, 2, 100]) {
      const again = await runImport({ uris: [uri], chunkLines });
      assert.deepEqual(
        { ...again, importId: first.importId },
        { ...first, written: 0, files: [{ ...file, chunks: Math.ceil(9 / chunkLines), written: 0 }] },
        `a rerun in chunks of ${chunkLines} lines adds nothing`,
      );
    }
    assert.deepEqual(await rowsOf(source), rows);
  });

  it('imports Spark daily files (CustomerID 17850.0, ISO times), each file its own source, a chunk per file', async () => {
    const day = (rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;
    const uris = [
      await upload(
        '2010-12-01.csv',
        day([
          '536365,85123A,"WHITE HANGING HEART T-LIGHT HOLDER",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
          '536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,,United Kingdom',
        ]),
      ),
      await upload(
        '2010-12-02.csv',
        day([
          '536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-02 08:34:00,1.69,13047.0,United Kingdom',
          '536368,22960,JAM MAKING SET WITH JARS,6,2010-12-02 25:34:00,4.25,13047.0,United Kingdom',
        ]),
      ),
    ];
    const result = await runImport({ uris });
    assert.deepEqual(
      result.files.map((f) => [f.source, f.chunks, f.read, f.loaded, f.rejected]),
      [
        [`import:${uris[0]}`, 1, 2, 2, 0],
        [`import:${uris[1]}`, 1, 2, 1, 1],
      ],
    );
    assert.deepEqual(
      (await rowsOf(`import:${uris[0]}`)).map((r) => [r.line, r.customer_id, r.invoice_date]),
      [
        [2, 17850, '2010-12-01 08:26:00'],
        [3, null, '2010-12-01 08:28:00'],
      ],
    );
    assert.deepEqual(await reasons(`import:${uris[1]}`), {
      3: 'InvoiceDate: "2010-12-02 25:34:00" is not a time of day',
    });
    const again = await runImport({ uris });
    assert.deepEqual([again.read, again.loaded, again.written, again.rejected], [4, 3, 0, 1]);
  });

  it('a rerun of a file that changed leaves exactly its lines now: fixed lines load, newly bad ones and those past its end go', async () => {
    const line = (n: number, quantity: string | number) =>
      `5365${n},2200${n},ITEM ${n},${quantity},12/2/2010 9:0${n},1.25,12${n}00,Germany`;
    const name = `changing-${uniqueId('f')}.csv`;
    const before = [HEADER, line(1, 1), line(2, 'x'), line(3, 3), line(4, 4), line(5, 5)];
    const uri = await upload(name, before.join('\n'));
    const source = `import:${uri}`;
    const first = await runImport({ uris: [uri], chunkLines: 2 });
    assert.deepEqual([first.loaded, first.rejected], [4, 1]);
    // The same object, rewritten: line 2 fixed, line 4 broken, line 6 gone.
    await deps.store.write(
      uri.replace(`gs://${cfg.gcs.bucket}/`, ''),
      [HEADER, line(1, 1), line(2, 2), line(3, 3), line(4, 'y')].join('\n'),
    );
    const second = await runImport({ uris: [uri], chunkLines: 2 });
    assert.deepEqual([second.read, second.loaded, second.rejected], [4, 3, 1]);
    assert.deepEqual(
      (await rowsOf(source)).map((r) => [r.line, r.quantity]),
      [
        [2, 1],
        [3, 2],
        [4, 3],
      ],
    );
    assert.deepEqual(await reasons(source), { 5: 'Quantity: "y" is not a whole number' });
  });

  it('fails at once, naming the field, for a file not in the bucket or without the columns; the API says why', async () => {
    const cause = (err: unknown) => (err as { cause?: { cause?: Error } }).cause?.cause?.message;
    const missing = `gs://${cfg.gcs.bucket}/imports/test/missing-retail.csv`;
    const failedId = transactionImportWorkflowId(uniqueId('test'));
    await assert.rejects(
      runImport({ uris: [missing] }, failedId),
      (err) => cause(err) === `uris[0]: object ${missing} does not exist`,
    );
    // The activity's InvalidInput, not "Workflow execution failed".
    assert.deepEqual(
      await (await app.request(`/v1/transaction-imports/${failedId}`)).json().then((b) => {
        const { status, error } = b as { status: string; error?: string };
        return { status, error };
      }),
      { status: 'FAILED', error: `uris[0]: object ${missing} does not exist` },
    );
    await assert.rejects(
      runImport({ uris: ['gs://another-bucket/x.csv'] }),
      (err) =>
        cause(err) ===
        `uris[0]: must be an object in the project bucket ${cfg.gcs.bucket}, got "gs://another-bucket/x.csv"`,
    );
    const uri = await upload('no-columns.csv', 'InvoiceNo,StockCode\n1,2\n');
    await assert.rejects(
      runImport({ uris: [uri] }),
      (err) => cause(err)?.startsWith(`${uri}: header lacks column(s) Description, Quantity`) === true,
    );
  });

  it('POST /v1/transaction-imports starts an import (write key), GET /v1/transaction-imports/:id follows it to its summary', async () => {
    const post = (body: unknown, key: string | null = WRITER) =>
      app.request('/v1/transaction-imports', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      });
    const problem = async (res: Response) => ({
      status: res.status,
      error: ((await res.json()) as { error: { field?: string; message: string } }).error,
    });
    assert.equal((await post({ uris: ['gs://x/y'] }, null)).status, 401);
    assert.deepEqual(await problem(await post({ uris: [] })), {
      status: 400,
      error: { code: 'invalid_request', field: 'uris', message: 'uris: give at least one gs:// URI' },
    });
    assert.deepEqual(await problem(await post({ uris: ['/tmp/x.csv'] })), {
      status: 400,
      error: { code: 'invalid_request', field: 'uris.0', message: 'uris.0: must be gs://<bucket>/<object>' },
    });
    const none = `gs://${cfg.gcs.bucket}/imports/test/none-retail.csv`;
    assert.deepEqual(await problem(await post({ uris: [none] })), {
      status: 400,
      error: { code: 'invalid_request', field: 'uris.0', message: `uris.0: object ${none} does not exist` },
    });
    const uri = await upload(
      'api-retail.csv',
      `${HEADER}\n536500,22001,MUG,2,12/3/2010 10:00,1.25,12345,Norway\n536501,22002,MUG,2,12/3/2010 10:01,abc,12345,Norway\n`,
    );
    assert.deepEqual(await problem(await post({ uris: [uri, uri] })), {
      status: 400,
      error: { code: 'invalid_request', field: 'uris.1', message: `uris.1: ${uri} is listed twice` },
    });
    assert.equal((await post({ uris: [uri], extra: 1 })).status, 400);

    const res = await post({ uris: [uri] });
    assert.equal(res.status, 202);
    const started = (await res.json()) as { workflowId: string; temporalUrl: string; links: { self: string } };
    assert.match(started.workflowId, /^import-transactions-\d{8}T\d{6}-[0-9a-f]{6}$/);
    assert.equal(started.links.self, `/v1/transaction-imports/${started.workflowId}`);
    assert.ok(started.temporalUrl.includes(encodeURIComponent(started.workflowId)));
    const running = (await (await app.request(started.links.self)).json()) as { status: string };
    assert.equal(running.status, 'RUNNING', 'no worker yet: it waits');
    const done = await withWorker(cfg, cfg.temporal.taskQueues.ingest, () =>
      until('the import completed', async () => {
        const body = (await (await app.request(started.links.self)).json()) as {
          status: string;
          result?: ImportTransactionsResult;
        };
        return body.status === 'COMPLETED' && body;
      }),
    );
    assert.deepEqual(
      [done.result?.read, done.result?.loaded, done.result?.rejected, done.result?.files[0]?.source],
      [2, 1, 1, `import:${uri}`],
    );
    assert.deepEqual(await reasons(`import:${uri}`), { 3: 'UnitPrice: "abc" is not a decimal number' });
    assert.equal((await app.request('/v1/transaction-imports/import-transactions-nope')).status, 404);
    assert.equal((await app.request('/v1/transaction-imports/import-sales-x')).status, 404);
    const openapi = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    assert.ok(openapi.paths['/v1/transaction-imports'] && openapi.paths['/v1/transaction-imports/{id}']);
  });

  it('the CLI uploads a folder of daily files, runs the workflow and prints its summary; a rerun adds nothing', async () => {
    const folder = path.join(dir, `by-day-${uniqueId('cli')}`);
    await mkdir(folder);
    await writeFile(
      path.join(folder, '2011-01-04.csv'),
      `${HEADER}\n539993,22386,JUMBO BAG PINK POLKADOT,10,2011-01-04 10:00:00,1.95,13313.0,United Kingdom\n`,
    );
    await writeFile(
      path.join(folder, '2011-01-05.csv'),
      `${HEADER}\n540001,22387,JUMBO BAG RED RETROSPOT,10,2011-01-05 10:00:00,1.95,,United Kingdom\n540002,X,Y,1,2011-01-05,1,,United Kingdom\n`,
    );
    const cli = (env: NodeJS.ProcessEnv, ...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/data/cli.ts', 'import-retail', ...args], {
        cwd: ROOT,
        env,
      });
    const run = () =>
      withWorker(cfg, cfg.temporal.taskQueues.ingest, () => cli(process.env, folder, '--chunk-lines', '1'));
    const { stdout } = await run();
    assert.match(stdout, /uploaded 2 files to gs:\/\/\S+\/imports\/\d{8}T\d{6}-[0-9a-f]{6}\//);
    assert.match(stdout, /import import-transactions-\S+ started: http/);
    assert.match(
      stdout,
      /transactions: read 3, loaded 2 \(2 new or changed\), rejected 1 in 2 file\(s\), 3 chunk\(s\)/,
    );
    const source = localSource(path.join(folder, '2011-01-05.csv'));
    assert.match(stdout, new RegExp(`rejected lines: SELECT \\* FROM rejected_rows WHERE source IN \\('${source}'\\)`));
    assert.deepEqual(await reasons(source), {
      3: 'InvoiceDate: "2011-01-05" is not a date and time like 12/1/2010 8:26 or 2010-12-01 08:26:00',
    });
    const again = await run();
    assert.match(again.stdout, /transactions: read 3, loaded 2 \(0 new or changed\), rejected 1/);
    assert.equal((await rowsOf(localSource(path.join(folder, '2011-01-04.csv')))).length, 1);
    const down = await cli({ ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' }, folder).then(
      () => undefined,
      (err: unknown) => err as { code: number; stderr: string },
    );
    assert.equal(down?.code, 1);
    assert.match(down?.stderr ?? '', /Temporal is not reachable at 127\.0\.0\.1:1 .*start the stack first/);
  });
});
