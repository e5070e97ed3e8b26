// Predictions of a tabular model's production version, kept in memory
// (platform/productionModels.ts): each instance checked against what the model takes, then the one
// prediction path that evaluation and batch scoring use (predictTabular), so the API and the batch
// scorer give the same number for the same row.
import { isTabularModel, type TabularModelName } from '../domain/tabularModels.ts';
import { predictTabular } from '../ml/tabular/evaluate.ts';
import { servedRow } from '../ml/tabular/instances.ts';
import { TabularInputError } from '../ml/tabular/values.ts';
import type { Pool } from '../platform/postgres.ts';
import type { ProductionModels, ServingTabular } from '../platform/productionModels.ts';
import { tabularModelExists } from '../platform/tabularRegistry.ts';
import { ApiError, notFound } from './errors.ts';

export const unknownTabularModel = (name: string) => notFound(`there is no tabular model named "${name}"`, 'name');

/** What trains each preset's model: power users and air quality build their rows in their own workflows first. */
const HOW_TO_TRAIN: Readonly<Record<TabularModelName, string>> = {
  bigmart: 'run the tabularTraining workflow (POST /v1/tabular-runs with model "bigmart")',
  'power-user': 'run the powerUserTraining workflow (POST /v1/power-user-runs, or npm run data -- train-power-users)',
  'air-quality':
    'import readings (npm run data -- import-air-quality AirQualityUCI.csv), then run the airQualityTraining workflow (POST /v1/schedules/daily-air-quality/trigger, or wait for its 21:00 America/New_York run)',
};
const howToTrain = (name: string) =>
  isTabularModel(name) ? HOW_TO_TRAIN[name] : 'run the tabularTraining workflow (POST /v1/tabular-runs)';

export const noProductionVersion = (name: string) =>
  new ApiError(
    409,
    'no_production_version',
    `model "${name}" has no production version yet: ${howToTrain(name)}, or promote a version (POST /v1/models/${name}/versions/{version}/promote)`,
  );

/** 409 for a preset model with no version yet: not an unknown name, just not trained. */
export const notTrained = (name: TabularModelName) =>
  new ApiError(409, 'not_trained', `model "${name}" has no version yet: ${HOW_TO_TRAIN[name]}`);

/**
 * The model's production version; else 409 when the model has versions but none in production, or
 * is a preset not trained yet (saying what to run), and 404 for a name that is no tabular model.
 */
export async function servingTabular(models: ProductionModels, pool: Pool, name: string): Promise<ServingTabular> {
  const serving = await models.tabular(name);
  if (serving) return serving;
  if (await tabularModelExists(pool, name)) throw noProductionVersion(name);
  throw isTabularModel(name) ? notTrained(name) : unknownTabularModel(name);
}

/** One prediction per instance; a 400 naming `field(row, column)` (column '': the instance) for the first one the model cannot take. */
export function predictInstances(
  serving: ServingTabular,
  instances: readonly unknown[],
  field: (row: number, column: string) => string,
): number[] {
  try {
    const rows = instances.map((instance, row) =>
      servedRow(serving.fitted.preprocessing, serving.inputs, instance, row),
    );
    return predictTabular(serving.fitted, rows);
  } catch (err) {
    if (!(err instanceof TabularInputError)) throw err;
    const name = field(err.row ?? 0, err.column);
    throw new ApiError(400, 'invalid_instance', `${name}: ${err.reason}`, name);
  }
}
