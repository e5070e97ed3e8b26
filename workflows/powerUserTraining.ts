// powerUserTraining (seed 003): the events (GA4-like, or Online Retail invoices) -> BigQuery -> one
// row per user with features from before the cutoff and the label from the window after it ->
// tabularTraining on the 'power-user' preset as a child (stratified split; KNN, logistic
// regression, forest and boosting, each with its grid, x no/random/SMOTE/ADASYN oversampling as
// parallel trials; threshold from the validation folds; champion/challenger).
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PowerUserActivities } from '../activities/powerUserTraining.ts';
import { HEARTBEAT_TIMEOUT } from '../contracts/heartbeats.ts';
import { invalidInput, PIPELINE_RETRY } from '../contracts/failures.ts';
import {
  DEFAULT_POWER_USER_SEARCH,
  DEFAULT_POWER_USER_SPLIT,
  POWER_USER_MODEL,
  POWER_USER_SOURCES,
  powerUserTrainingChildId,
  type PowerUserTrainingInput,
  type PowerUserTrainingReport,
} from '../contracts/powerUsers.ts';
import { tabularTraining } from './tabularTraining.ts';
import { tagRun } from './runTags.ts';

const acts = proxyActivities<PowerUserActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: PIPELINE_RETRY,
});

export async function powerUserTraining(input: PowerUserTrainingInput): Promise<PowerUserTrainingReport> {
  tagRun({ pipeline: 'power-user', model: POWER_USER_MODEL });
  if (!(POWER_USER_SOURCES as readonly string[]).includes(input.events))
    throw invalidInput('events', `must be ${POWER_USER_SOURCES.join(' or ')}, got ${JSON.stringify(input.events)}`);
  const { workflowId } = workflowInfo();
  const features = await acts.buildPowerUserTable(workflowId, input);
  const training = await executeChild(tabularTraining, {
    workflowId: powerUserTrainingChildId(workflowId),
    args: [
      {
        model: POWER_USER_MODEL,
        source: { kind: 'bigquery', table: features.table },
        split: input.split ?? DEFAULT_POWER_USER_SPLIT,
        search: { ...DEFAULT_POWER_USER_SEARCH, ...input.search },
        ...(input.promotionMargin === undefined ? {} : { promotionMargin: input.promotionMargin }),
      },
    ],
  });
  return { features, training };
}
