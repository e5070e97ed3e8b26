// kill -9 of a worker in the middle of an Online Retail import's chunk (while its transaction
// writes the chunk's rows): a new worker retries that chunk and the import ends with every line
// once. The generated file is uploaded under a unique name: its source is this test's alone.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { transactionImportWorkflowId, type ImportTransactionsResult } from '../../contracts/transactionImports.ts';
import { closeDataDeps, createDataDeps, type DataDeps } from '../../platform/deps.ts';
import { connectClient } from '../../platform/temporal.ts';
import { generateRetailCommand } from '../../scripts/data/generateRetail.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';
import { startWorkerProcess } from '../helpers/workerProcess.ts';

const startWorker = (): ChildProcess => startWorkerProcess('ingest');

describe('a worker killed with SIGKILL in the middle of an Online Retail import', () => {
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

  it('is finished by a new worker: every line once, the counts exact', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-retail-crash-'));
    const rows = 100_000;
    generateRetailCommand(['--out', dir, '--rows', String(rows), '--customers', '800', '--seed', '13']);
    const file = path.join(dir, 'online_retail.csv');
    // Two lines that cannot be read, at the end.
    await appendFile(file, '581588,23000,BAD QUANTITY,lots,12/9/2011 12:50,1.25,12680,France\n581589,23001,SHORT\n');
    const uri = await deps.store.upload(file, `imports/test/${uniqueId('retail-crash')}/online_retail.csv`);
    const source = `import:${uri}`;
    const chunkLines = 25_000;
    const client = await connectClient(cfg.temporal);
    try {
      const handle = await client.workflow.start('importTransactions', {
        workflowId: transactionImportWorkflowId(uniqueId('crash')),
        taskQueue: cfg.temporal.taskQueues.ingest,
        args: [{ uris: [uri], chunkLines }],
      });
      workers.push(startWorker());
      // Killed while a chunk after the first writes its rows in its open transaction.
      await until(
        'a chunk writing after one committed',
        async () => {
          const {
            rows: [r],
          } = await deps.pool.query<{ committed: boolean; writing: number }>(
            `SELECT EXISTS (SELECT 1 FROM transactions WHERE source = $1) AS committed,
               (SELECT count(*)::int FROM pg_stat_activity
                WHERE pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')
                  AND query ~ '^(CREATE TEMP TABLE transactions_stage|COPY transactions_stage|DELETE FROM transactions|INSERT INTO transactions)') AS writing`,
            [source],
          );
          return r!.committed && r!.writing > 0;
        },
        { seconds: 180 },
      );
      workers[0]!.kill('SIGKILL');
      workers.push(startWorker());
      const result = (await handle.result()) as ImportTransactionsResult;

      assert.deepEqual(
        { read: result.read, loaded: result.loaded, rejected: result.rejected, chunks: result.files[0]?.chunks },
        { read: rows + 2, loaded: rows, rejected: 2, chunks: Math.ceil((rows + 2) / chunkLines) },
      );
      const history = await handle.fetchHistory();
      const retried = history.events?.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1).length;
      assert.equal(retried, 1, 'the chunk the worker was killed in ran again');

      // Counted afresh in Postgres.
      const {
        rows: [pg],
      } = await deps.pool.query<{ lines: number; distinct: number; rejected: number }>(
        `SELECT count(*)::int AS lines, count(DISTINCT line)::int AS distinct,
           (SELECT count(*)::int FROM rejected_rows WHERE source = $1) AS rejected
         FROM transactions WHERE source = $1`,
        [source],
      );
      assert.deepEqual(pg, { lines: rows, distinct: rows, rejected: 2 });
    } finally {
      await client.connection.close();
    }
  });
});
