// retrainSeries with a mocked activity: its one attempt is watched by heartbeat, so a worker killed
// mid-retrain is retried within HEARTBEAT_TIMEOUT rather than after the 2-minute start-to-close
// (`npm run chaos` measured 112 s for a killed interactive worker before), and its retries outlast a
// Postgres restart (five attempts gave up after 3 s while Postgres was down for 9).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { HEARTBEAT_TIMEOUT } from '../../contracts/heartbeats.ts';
import type { RetrainResult } from '../../contracts/retrain.ts';
import { retrainSeries } from '../../workflows/index.ts';
import { startTestTemporal, withWorker } from './env.ts';

describe('retrainSeries workflow (mocked activity)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('runs its activity with the heartbeat timeout', async () => {
    let heartbeatTimeoutMs: number | undefined;
    const result = await withWorker(
      env,
      {
        retrainSeriesNow: (_run, { storeId, product }) => {
          heartbeatTimeoutMs = Context.current().info.heartbeatTimeoutMs;
          return Promise.resolve({ storeId, product, trained: false, reason: 'mocked' } satisfies RetrainResult);
        },
      },
      (taskQueue) =>
        env.client.workflow.execute(retrainSeries, {
          taskQueue,
          workflowId: 'retrain-heartbeat',
          args: [{ storeId: 1, product: 'p01', engine: 'fast', windowDays: 120 }],
        }),
    );
    assert.deepEqual(result, { storeId: 1, product: 'p01', trained: false, reason: 'mocked' });
    assert.equal(heartbeatTimeoutMs, Number.parseInt(HEARTBEAT_TIMEOUT, 10) * 1000);

    const history = await env.client.workflow.getHandle('retrain-heartbeat').fetchHistory();
    const policy = history.events?.find((e) => e.activityTaskScheduledEventAttributes)
      ?.activityTaskScheduledEventAttributes?.retryPolicy;
    assert.ok(policy, 'the activity has a retry policy');
    const seconds = (d: typeof policy.initialInterval) => Number(d?.seconds ?? 0) + (d?.nanos ?? 0) / 1e9;
    let waited = 0;
    for (let retry = 0, wait = seconds(policy.initialInterval); retry < (policy.maximumAttempts ?? 0) - 1; retry++) {
      waited += wait;
      wait = Math.min(wait * (policy.backoffCoefficient ?? 2), seconds(policy.maximumInterval));
    }
    assert.ok(waited >= 20, `the retries give up after ${waited.toFixed(1)} s of waiting`);
  });
});
