// kill -9 of a worker in the middle of an import's chunk (while its COPY streams rows into an open
// transaction): a new worker retries that chunk and the import ends with every row once, in
// Postgres, GCS and BigQuery. Stores 921-930, dates of 2009 (no other test uses them).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { importWorkflowId, type ImportSalesResult } from '../../contracts/imports.ts';
import { closeDataDeps, createDataDeps, type DataDeps } from '../../platform/deps.ts';
import { countSalesRows } from '../../platform/salesWarehouse.ts';
import { connectClient } from '../../platform/temporal.ts';
import { generate } from '../../scripts/data/generate.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';
import { startWorkerProcess } from '../helpers/workerProcess.ts';

const OFFSET = 920;
const startWorker = (): ChildProcess => startWorkerProcess('ingest');

describe('a worker killed with SIGKILL in the middle of an import', () => {
  const cfg = testConfig();
  let deps: DataDeps;
  const workers: ChildProcess[] = [];
  before(() => {
    deps = createDataDeps(cfg, 'retailflow-test');
  });
  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await closeDataDeps(deps);
  });

  it('is finished by a new worker: every row once in Postgres, GCS and BigQuery', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-import-crash-'));
    generate([
      '--out',
      dir,
      '--stores',
      '10',
      '--products',
      '20',
      '--from',
      '2009-01-01',
      '--to',
      '2009-12-31',
      '--seed',
      '13',
    ]);
    const uris: Record<string, string> = {};
    for (const name of ['store.csv', 'train.csv']) {
      // Store numbers moved past every other test's.
      const lines = (await readFile(path.join(dir, name), 'utf8'))
        .trimEnd()
        .split('\n')
        .map((l, i) => (i ? l.replace(/^\d+/, (s) => String(Number(s) + OFFSET)) : l));
      await writeFile(path.join(dir, `moved-${name}`), `${lines.join('\n')}\n`);
      uris[name] = await deps.store.upload(
        path.join(dir, `moved-${name}`),
        `imports/test/${uniqueId('crash')}/${name}`,
      );
    }
    const rows = 10 * 20 * 365;
    const chunkLines = 2_000;
    const client = await connectClient(cfg.temporal);
    try {
      const handle = await client.workflow.start('importSales', {
        workflowId: importWorkflowId(uniqueId('crash')),
        taskQueue: cfg.temporal.taskQueues.ingest,
        args: [{ storesUri: uris['store.csv'], trainUri: uris['train.csv'], chunkLines }],
      });
      workers.push(startWorker());
      // Killed while a chunk after the first few streams its rows into its open transaction.
      await until(
        'a chunk COPYing after two were recorded',
        async () => {
          const {
            rows: [r],
          } = await deps.pool.query<{ done: number; copying: number }>(
            `SELECT (SELECT count(*)::int FROM sales_import_chunks WHERE import_id = $1) AS done,
                  (SELECT count(*)::int FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'COPY sales %') AS copying`,
            [handle.workflowId],
          );
          return r!.done >= 2 && r!.copying > 0;
        },
        { seconds: 120 },
      );
      workers[0]!.kill('SIGKILL');
      workers.push(startWorker());
      const result = (await handle.result()) as ImportSalesResult;

      // 200 rows a date, 2,000 lines a chunk: a chunk past its size ends where the date changes, so the
      // first takes the header and ten whole dates, and no date is split (nothing staged and upserted).
      const chunks = Math.ceil(rows / chunkLines);
      assert.deepEqual(result.sales, {
        source: `import:${uris['train.csv']}`,
        chunks,
        read: rows,
        loaded: rows,
        upserted: 0,
        rejected: 0,
        rejectedWithStore: 0,
        skipped: 0,
        months: 12,
        counts: { postgres: rows, gcs: rows, bigquery: rows },
      });
      const history = await handle.fetchHistory();
      const retried = history.events?.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1).length;
      assert.equal(retried, 1, 'the chunk the worker was killed in ran again');

      // Counted afresh: Postgres and BigQuery rows of the range and the stores, the lines of every object the import wrote.
      const {
        rows: [pg],
      } = await deps.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sales WHERE store_id BETWEEN $1 AND $2`,
        [OFFSET + 1, OFFSET + 10],
      );
      assert.equal(pg!.n, rows);
      assert.deepEqual(await countSalesRows(deps, '2009-01-01', '2009-12-31'), { postgres: rows, bigquery: rows });
      const [objects] = await deps.store.client
        .bucket(cfg.gcs.bucket)
        .getFiles({ prefix: `exports/sales/import=${handle.workflowId}/` });
      let lines = 0;
      for (const o of objects)
        lines += (await deps.store.read(o.name)).toString('utf8').split('\n').filter(Boolean).length;
      assert.equal(lines, rows, 'no object holds a row twice, and no object of the killed attempt is left over');
      const { rows: recorded } = await deps.pool.query<{ loaded: number }>(
        `SELECT (summary->>'loaded')::int AS loaded FROM sales_import_chunks WHERE import_id = $1`,
        [handle.workflowId],
      );
      assert.equal(recorded.length, chunks);
      assert.equal(
        recorded.reduce((a, r) => a + r.loaded, 0),
        rows,
      );
    } finally {
      await client.connection.close();
    }
  });
});
