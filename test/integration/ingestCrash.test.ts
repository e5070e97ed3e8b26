import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { countSalesDay } from '../../platform/salesWarehouse.ts';
import { closeDeps, createDeps, type Deps } from '../../activities/deps.ts';
import { dailyIngestWorkflowId, type IngestReport } from '../../contracts/ingest.ts';
import { connectClient } from '../../platform/temporal.ts';
import { testConfig } from '../helpers/stack.ts';
import { dayOfEvents, SAMPLE_STORES } from '../../scripts/data/saleEvents.ts';
import { seedStores } from '../helpers/sales.ts';
import { startWorkerProcess } from '../helpers/workerProcess.ts';

const startWorker = (): ChildProcess => startWorkerProcess('ingest');

describe('a worker killed with SIGKILL in the middle of a daily ingest', () => {
  const cfg = testConfig();
  let deps: Deps;
  const workers: ChildProcess[] = [];
  before(async () => {
    deps = createDeps(cfg, 'retailflow-test');
    await seedStores(deps.pool);
  });
  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await closeDeps(deps);
  });

  it('is finished by a new worker with exact counts', async () => {
    const date = '2026-02-10';
    const products = Array.from({ length: 40 }, (_, i) => `p${i}`);
    const events = dayOfEvents(date, products);
    await deps.pool.query(
      `INSERT INTO sales_events (sale_date, payload, source) SELECT $1, p, 'test' FROM unnest($2::jsonb[]) AS p`,
      [date, events.map((e) => JSON.stringify(e))],
    );
    const client = await connectClient(cfg.temporal);
    try {
      const handle = await client.workflow.start('dailyIngest', {
        workflowId: dailyIngestWorkflowId(date),
        taskQueue: cfg.temporal.taskQueues.ingest,
        args: [{ date }],
      });
      workers.push(startWorker());
      // Kill the worker as soon as it has started an activity: the run is then mid-flight.
      for (let i = 0; ; i++) {
        const history = await handle.fetchHistory();
        if (history.events?.some((e) => e.activityTaskStartedEventAttributes)) break;
        assert.ok(i < 300, 'the worker never started an activity');
        await new Promise((r) => setTimeout(r, 100));
      }
      workers[0]!.kill('SIGKILL');
      workers.push(startWorker());
      const report = (await handle.result()) as IngestReport;
      const n = SAMPLE_STORES.length * products.length;
      assert.deepEqual(report.counts, { staged: n, accepted: n, rejected: 0, postgres: n, gcs: n, bigquery: n });
      assert.deepEqual(await countSalesDay(deps, date), { postgres: n, gcs: n, bigquery: n });
    } finally {
      await client.connection.close();
    }
  });
});
