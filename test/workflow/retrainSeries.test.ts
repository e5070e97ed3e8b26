// retrainSeries with a mocked activity: its one attempt is watched by heartbeat, so a worker killed
// mid-retrain is retried within HEARTBEAT_TIMEOUT rather than after the 2-minute start-to-close
// (`npm run chaos` measured 112 s for a killed interactive worker before).
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
  });
});
