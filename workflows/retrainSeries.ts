// retrainSeries: one series fit, backtested, registered, promoted by the policy and forecast, now.
// Its id is retrain-<store>-<product> and the API joins a running one, so a double click is one run.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RetrainActivities } from '../activities/retrain.ts';
import { HEARTBEAT_TIMEOUT } from '../contracts/heartbeats.ts';
import type { RetrainInput, RetrainResult } from '../contracts/retrain.ts';
import { tagRun, tagStage } from './runTags.ts';
import { forecastModelName } from '../contracts/training.ts';

const acts = proxyActivities<RetrainActivities>({
  startToCloseTimeout: '2 minutes',
  // A worker killed mid-retrain is noticed within this, not after the 2 minutes (`npm run chaos`).
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  // Ten attempts wait 26 s in all: a Postgres restart (about 9 s on a loaded machine, `npm run chaos`) fails none.
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 10 },
});

export async function retrainSeries(input: RetrainInput): Promise<RetrainResult> {
  // Each retrain is its own training run, so each makes a new version.
  const { workflowId, runId } = workflowInfo();
  tagRun({
    pipeline: 'retrain',
    store: input.storeId,
    model: forecastModelName(input.storeId, input.product),
    stage: 'retraining',
  });
  const result = await acts.retrainSeriesNow(`${workflowId}-${runId}`, input);
  tagStage('done');
  return result;
}
