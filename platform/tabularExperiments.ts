// What the Experiments view reads beyond the run rows: a model's champion (its production version,
// the run and trial that made it) and a run's evaluation: the version the run registered, scored
// again on the run's own test rows (tabular/<runId>/test.json), with its feature importances.
import type { TrialPlan } from '../contracts/tabular.ts';
import {
  featureImportances,
  predictedAgainstActual,
  type FeatureImportance,
  type PredictedAgainstActual,
} from '../ml/tabular/diagnostics.ts';
import { thresholdCurve, type CurvePoint } from '../ml/tabular/threshold.ts';
import type { Pool } from './postgres.ts';
import type { ObjectStore } from './storage.ts';
import { readRowSet } from './tabularData.ts';
import { fittedTabular, type TabularModelParams } from './tabularRegistry.ts';

export interface TabularChampion {
  version: number;
  label: string;
  runId: string;
  trial: TrialPlan;
}

/** The model's production version, or undefined when it has none. */
export async function tabularChampion(pool: Pool, model: string): Promise<TabularChampion | undefined> {
  const { rows } = await pool.query<{ version: number; runId: string; params: TabularModelParams }>(
    `SELECT version, training_run AS "runId", params FROM model_versions WHERE model = $1 AND stage = 'production'`,
    [model],
  );
  const row = rows[0];
  return row && { version: row.version, label: row.params.label, runId: row.runId, trial: row.params.trial };
}

export interface TabularRunEvaluation extends PredictedAgainstActual {
  version: number;
  learner: string;
  /** The column the model predicts. */
  target: string;
  featureImportances: FeatureImportance[] | null;
  /** Binary: the version's decision threshold and, per distinct score on the test rows, what it would give (ROC, precision-recall). */
  classification?: { threshold: number; curve: CurvePoint[] };
}

/** The registered version of a run scored on the run's test rows; undefined when that version is gone. */
export async function tabularRunEvaluation(
  pool: Pool,
  store: ObjectStore,
  run: { run_id: string; model: string; model_version: number },
): Promise<TabularRunEvaluation | undefined> {
  const { rows } = await pool.query<{ params: TabularModelParams }>(
    'SELECT params FROM model_versions WHERE model = $1 AND version = $2',
    [run.model, run.model_version],
  );
  if (!rows[0]) return undefined;
  const [fitted, test] = await Promise.all([
    fittedTabular(store, rows[0].params),
    readRowSet(store, run.run_id, 'test'),
  ]);
  const predicted = predictedAgainstActual(fitted, test);
  return {
    version: run.model_version,
    learner: fitted.model.learner,
    target: fitted.preprocessing.spec.target.column,
    ...predicted,
    featureImportances: featureImportances(fitted),
    ...(fitted.model.task === 'binary'
      ? {
          classification: {
            threshold: fitted.threshold ?? 0.5,
            curve: thresholdCurve(
              predicted.points.map((p) => p.actual),
              predicted.points.map((p) => p.predicted),
            ),
          },
        }
      : {}),
  };
}
