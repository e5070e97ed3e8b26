// What the Experiments view shows of a fitted model: its predictions against the actual targets of
// rows it did not train on, with the task's metrics, and the feature importances of learners that
// have them (trees, forests, boosting), by encoded feature name, largest first.
import { predictTabular, scoreOf, type FittedTabular } from './evaluate.ts';
import { learnerByName } from './learners.ts';
import { targets } from './rows.ts';
import type { RawRow } from './values.ts';

export interface PredictedAgainstActual {
  points: { actual: number; predicted: number }[];
  metrics: Record<string, number>;
}

export interface FeatureImportance {
  feature: string;
  importance: number;
}

/** Each row's actual target and the model's prediction, in row order, and the metrics of them all (binary: at its threshold). */
export function predictedAgainstActual(fitted: FittedTabular, rows: readonly RawRow[]): PredictedAgainstActual {
  const { spec } = fitted.preprocessing;
  const actual = targets(spec, rows);
  const predicted = predictTabular(fitted, rows);
  return {
    points: actual.map((a, i) => ({ actual: a, predicted: predicted[i]! })),
    metrics: scoreOf(spec, actual, predicted, fitted.threshold),
  };
}

/** The learner's importance of each encoded feature, largest first (ties in feature order); null when it has none. */
export function featureImportances(fitted: FittedTabular): FeatureImportance[] | null {
  const { learner } = learnerByName(fitted.model.learner);
  if (!learner.importances) return null;
  const names = fitted.preprocessing.featureNames;
  const values = learner.importances(fitted.model);
  if (values.length !== names.length)
    throw new Error(`${learner.name}: ${values.length} importances for ${names.length} features`);
  return names
    .map((feature, i) => ({ feature, importance: values[i]!, i }))
    .sort((a, b) => b.importance - a.importance || a.i - b.i)
    .map(({ feature, importance }) => ({ feature, importance }));
}
