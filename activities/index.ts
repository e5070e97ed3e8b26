// Every activity the workers register, bound to their dependencies.
import { airQualityActivities } from './airQuality.ts';
import { dailyIngestActivities } from './dailyIngest.ts';
import type { Deps } from './deps.ts';
import { importSalesActivities } from './importSales.ts';
import { importTransactionsActivities } from './importTransactions.ts';
import { powerUserActivities } from './powerUserTraining.ts';
import { retrainActivities } from './retrain.ts';
import { runActivities } from './runs.ts';
import { segmentationActivities } from './segmentation.ts';
import { stackCheckActivities } from './stackCheck.ts';
import { tabularScoringActivities } from './tabularScoring.ts';
import { tabularActivities } from './tabularTraining.ts';
import { trainingActivities } from './training.ts';

export function createActivities(deps: Deps) {
  return {
    ...stackCheckActivities(deps),
    ...dailyIngestActivities(deps),
    ...trainingActivities(deps),
    ...retrainActivities(deps),
    ...runActivities(deps),
    ...importSalesActivities(deps),
    ...importTransactionsActivities(deps),
    ...segmentationActivities(deps),
    ...tabularActivities(deps),
    ...tabularScoringActivities(deps),
    ...powerUserActivities(deps),
    ...airQualityActivities(deps),
  };
}
