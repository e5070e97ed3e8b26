// Predictions of a tabular model's production version, kept in memory
// (platform/productionModels.ts): each instance checked against what the model takes, then the one
// prediction path that evaluation and batch scoring use (predictTabular), so the API and the batch
// scorer give the same number for the same row.
import { POWER_USER_MODEL } from '../contracts/powerUsers.ts';
import { isTabularModel, type TabularModelName } from '../domain/tabularModels.ts';
import { predictTabular } from '../ml/tabular/evaluate.ts';
import { checkInstance } from '../ml/tabular/instances.ts';
import { TabularInputError } from '../ml/tabular/values.ts';
import type { Pool } from '../platform/postgres.ts';
import type { ProductionModels, ServingTabular } from '../platform/productionModels.ts';
import { tabularModelExists } from '../platform/tabularRegistry.ts';
import { ApiError, notFound } from './errors.ts';

export const unknownTabularModel = (name: string) => notFound(`there is no tabular model named "${name}"`, 'name');

const TABULAR_TRAINING = 'train it with the tabularTraining workflow (POST /v1/tabular-runs)';

/** What trains each preset's model: power users and air quality build their rows in their own workflows first. */
const HOW_TO_TRAIN: Record<TabularModelName, string> = {
  bigmart: TABULAR_TRAINING,
  'power-user':
    'train it with the powerUserTraining workflow (POST /v1/power-user-runs, or npm run data -- train-power-users)',
  'air-quality':
    'train it with the airQualityTraining workflow (the daily-air-quality Schedule: trigger it to run now)',
};
const howToTrain = (name: string) => (isTabularModel(name) ? HOW_TO_TRAIN[name] : TABULAR_TRAINING);

export const noProductionVersion = (name: string) =>
  new ApiError(
    409,
    'no_production_version',
    `model "${name}" has no production version yet: ${howToTrain(name)}, or promote a version (POST /v1/models/${name}/versions/{version}/promote)`,
  );

/**
 * The model's production version, or 404 (no such tabular model) or 409 (none in production). The
 * power-user model has routes of its own (/v1/models/power-user/...): it is known, and answers 409,
 * before its first training registers it.
 */
export async function servingTabular(models: ProductionModels, pool: Pool, name: string): Promise<ServingTabular> {
  const serving = await models.tabular(name);
  if (serving) return serving;
  throw name === POWER_USER_MODEL || (await tabularModelExists(pool, name))
    ? noProductionVersion(name)
    : unknownTabularModel(name);
}

/** One prediction per instance; a 400 naming `field(row, column)` (column '': the instance) for the first one the model cannot take. */
export function predictInstances(
  serving: ServingTabular,
  instances: readonly unknown[],
  field: (row: number, column: string) => string,
): number[] {
  try {
    instances.forEach((instance, row) => checkInstance(serving.fitted.preprocessing, serving.inputs, instance, row));
    return predictTabular(serving.fitted, instances as Record<string, unknown>[]);
  } catch (err) {
    if (!(err instanceof TabularInputError)) throw err;
    const name = field(err.row ?? 0, err.column);
    throw new ApiError(400, 'invalid_instance', `${name}: ${err.reason}`, name);
  }
}
