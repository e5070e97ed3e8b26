// kill -9 of the training worker in the middle of a segmentation run, while its ks are fitting in
// worker threads: a new worker retries what was in flight and the run ends with every customer
// once, one version, and the counts of a run that was never interrupted. Its own Postgres schema
// (the worker gets it through DATABASE_URL).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import proto from '@temporalio/proto';
import type { SegmentationReport } from '../../contracts/segmentation.ts';
import { cleanTransactions } from '../../ml/segmentation/cleaning.ts';
import { segmentationRun } from '../../platform/runs.ts';
import { connectClient } from '../../platform/temporal.ts';
import { importTransactions } from '../../platform/transactionImport.ts';
import { generateRetail, RETAIL_HEADER, retailCsvLine } from '../../scripts/data/onlineRetailGenerator.ts';
import { isolatedSchema, transactionsIn, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';
import { startWorkerProcess } from '../helpers/workerProcess.ts';

const { PendingActivityState } = proto.temporal.api.enums.v1;

describe('a training worker killed with SIGKILL in the middle of a segmentation run', () => {
  let isolated: IsolatedSchema;
  const workers: ChildProcess[] = [];
  const startWorker = (): ChildProcess =>
    startWorkerProcess('training', { ...process.env, DATABASE_URL: isolated.cfg.postgres.url });

  before(async () => {
    isolated = await isolatedSchema(testConfig(), 'segcrash');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-segmentation-crash-'));
    const lines = [RETAIL_HEADER];
    generateRetail({ seed: 5, customers: 2000, rows: 60_000 }, (l) => lines.push(retailCsvLine(l, 'uci')));
    await writeFile(path.join(dir, 'online_retail.csv'), `${lines.join('\n')}\n`);
    await importTransactions(isolated.pool, path.join(dir, 'online_retail.csv'));
  });
  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await isolated?.drop();
  });

  it('is finished by a new worker with exact counts', async () => {
    const cfg = isolated.cfg;
    const client = await connectClient(cfg.temporal);
    try {
      const runId = uniqueId('segmentation-crash');
      const handle = await client.workflow.start('customerSegmentation', {
        workflowId: runId,
        taskQueue: cfg.temporal.taskQueues.training,
        args: [{ restarts: 40 }],
      });
      workers.push(startWorker());
      // Killed while a k's fit is running in the worker (not between two activities).
      await until(
        'a k fitting in the worker',
        async () =>
          (await handle.describe()).raw.pendingActivities?.some(
            (a) =>
              a.activityType?.name === 'fitSegmentCount' &&
              a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
          ),
        { seconds: 120 },
      );
      workers[0]!.kill('SIGKILL');
      workers.push(startWorker());
      const report = (await handle.result()) as SegmentationReport;

      const reference = cleanTransactions(await transactionsIn(isolated.pool)).counts;
      assert.deepEqual(report.snapshot.cleaning, reference);
      assert.deepEqual(
        report.byK.map((f) => f.k),
        [2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.equal(report.registration.version, 1);
      assert.equal(report.assigned, report.snapshot.customers);
      const history = await handle.fetchHistory();
      const retried = history.events?.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
      assert.ok(retried?.length, 'an activity the worker was killed in ran again');

      const {
        rows: [counts],
      } = await isolated.pool.query<{ versions: number; segments: number; customers: number; features: number }>(
        `SELECT (SELECT count(*)::int FROM model_versions) AS versions,
           (SELECT count(*)::int FROM customer_segments) AS segments,
           (SELECT count(DISTINCT customer_id)::int FROM customer_segments) AS customers,
           (SELECT count(*)::int FROM customer_features WHERE run_id = $1) AS features`,
        [runId],
      );
      assert.deepEqual(counts, {
        versions: 1,
        segments: report.snapshot.customers,
        customers: report.snapshot.customers,
        features: report.snapshot.customers,
      });
      const row = await segmentationRun(isolated.pool, runId);
      assert.equal(row?.status, 'done');
      assert.deepEqual(row?.counts, {
        transactions: reference.read,
        cleaned: reference.kept,
        customers: report.snapshot.customers,
        kTotal: 9,
        kDone: 9,
        assigned: report.snapshot.customers,
      });
    } finally {
      await client.connection.close();
    }
  });
});
