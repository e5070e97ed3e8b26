import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDeps, createDeps } from '../../activities/deps.ts';
import { stackCheckActivities } from '../../activities/stackCheck.ts';
import { connectClient } from '../../platform/temporal.ts';
import { stackCheck } from '../../workflows/stackCheck.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { withWorker } from '../../workers/inProcess.ts';

describe('stackCheck end to end through a worker', () => {
  const cfg = testConfig();

  it('writes one row through Postgres, GCS and BigQuery and counts it in each', async () => {
    const client = await connectClient(cfg.temporal);
    const taskQueue = uniqueId('stack-check-queue');
    const workflowId = uniqueId('stack-check');
    try {
      const result = await withWorker(cfg, taskQueue, () =>
        client.workflow.execute(stackCheck, { workflowId, taskQueue, workflowExecutionTimeout: '2 minutes' }),
      );
      assert.deepEqual(result, {
        checkId: workflowId,
        objectUri: `gs://${cfg.gcs.bucket}/stack-checks/${workflowId}.ndjson`,
        counts: { postgres: 1, gcs: 1, bigquery: 1 },
      });
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const scheduled = history.events?.filter((e) => e.activityTaskScheduledEventAttributes).length;
      assert.equal(scheduled, 4, 'one activity per step');
    } finally {
      await client.connection.close();
    }
  });
});

describe('stackCheck activities are safe to retry', () => {
  const deps = createDeps(testConfig(), 'retailflow-test');
  const acts = stackCheckActivities(deps);
  after(() => closeDeps(deps));

  it('running every step twice still counts one row everywhere', async () => {
    const id = uniqueId('retry-check');
    for (let i = 0; i < 2; i++) {
      await acts.recordStackCheck(id, '2026-11-23T00:00:00.000Z');
      await acts.exportStackCheck(id);
      await acts.loadStackCheck(id);
    }
    assert.deepEqual(await acts.countStackCheck(id), { postgres: 1, gcs: 1, bigquery: 1 });
  });

  it('fails, naming the missing object, for a check that never ran', async () => {
    const id = uniqueId('never-ran');
    await assert.rejects(
      acts.countStackCheck(id),
      new RegExp(`object gs://${testConfig().gcs.bucket}/stack-checks/${id}\\.ndjson does not exist`),
    );
  });
});
