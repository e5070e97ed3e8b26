// airQualityTraining (seed 001, daily at 21:00 America/New_York): the expanding monthly window moved
// on by one month (the first run trains on months 1-2 and tests on month 3; each later run adds the
// month it tested to training and tests on the next; a run that finds no new month retrains on the
// same window and says so), how many rows each way of handling missing values keeps, the
// tabularTraining of the air-quality preset on exactly that window (forest and boosted trees, each
// with the sensors-only and the all-columns feature set), the version's normalization statistics
// beside it in GCS, the naive same-hour-yesterday baseline on the same test month, and the test
// month's scores recorded in Postgres for the page.
import { executeChild, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { AirQualityActivities } from '../activities/airQuality.ts';
import {
  AIR_QUALITY_MODEL,
  AIR_QUALITY_ROWS,
  AIR_QUALITY_SEARCH,
  AIR_QUALITY_TIME,
  type AirQualityTrainingInput,
  type AirQualityTrainingResult,
} from '../contracts/airQuality.ts';
import { HEARTBEAT_TIMEOUT } from '../contracts/heartbeats.ts';
import { INVALID_INPUT } from '../contracts/failures.ts';
import { TABULAR_RUN_PREFIX } from '../contracts/tabular.ts';
import { monthStart, nextMonth } from '../domain/airQuality.ts';
import { tabularTraining } from './tabularTraining.ts';
import { tagRun } from './runTags.ts';

// The seed's Airflow DAG retries a failed task once, 5 minutes later (retries=1,
// retry_delay=5 minutes): so do this workflow's own steps and the training child as a whole (the
// child's activities first retry on their own, as every training's do). Bad input is not retried.
const SEED_RETRY = {
  maximumAttempts: 2,
  initialInterval: '5 minutes',
  backoffCoefficient: 1,
  nonRetryableErrorTypes: [INVALID_INPUT],
};
const acts = proxyActivities<AirQualityActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: SEED_RETRY,
});

export async function airQualityTraining(input: AirQualityTrainingInput = {}): Promise<AirQualityTrainingResult> {
  const { workflowId } = workflowInfo();
  tagRun({ pipeline: 'air-quality', model: AIR_QUALITY_MODEL });
  const window = await acts.advanceAirQualityWindow(workflowId);
  if (!window)
    return {
      skipped:
        'fewer than three months of air-quality readings with CO(GT): import AirQualityUCI.csv first (npm run data -- import-air-quality)',
    };
  const missing = await acts.countAirQualityMissing(window);
  const training = await executeChild(tabularTraining, {
    workflowId: `${TABULAR_RUN_PREFIX}${AIR_QUALITY_MODEL}-${workflowId}`,
    retry: SEED_RETRY,
    args: [
      {
        model: AIR_QUALITY_MODEL,
        source: { kind: 'postgres', table: AIR_QUALITY_ROWS },
        split: {
          kind: 'period',
          column: AIR_QUALITY_TIME,
          trainFrom: monthStart(window.firstMonth),
          testFrom: monthStart(window.testMonth),
          testTo: monthStart(nextMonth(window.testMonth)),
        },
        search: { ...AIR_QUALITY_SEARCH, ...input.search },
        // the seed serves its latest model: here a new version replaces production when it beats it on the test month
        promotionMargin: input.promotionMargin ?? 0,
      },
    ],
  });
  const statistics = await acts.saveAirQualityStatistics(training.registration.version, window);
  const baseline = await acts.scoreAirQualityBaseline(training.runId);
  // runs recorded before the test months were kept replay without the step
  if (patched('air-quality-test-month'))
    await acts.recordAirQualityTestMonth(workflowId, { window, training, baseline });
  return { window, missing, training, baseline, statistics };
}
