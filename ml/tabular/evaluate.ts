// Scoring a learner with given hyperparameters on a dataset: k-fold cross-validation on the
// training rows (each fold fits its own preprocessing on its own training part, so nothing of the
// held-out fold leaks in), and the final fit on all training rows scored on the test rows.
import { fitPreprocessing, transform, type FittedPreprocessing } from './preprocess.ts';
import type { TabularModel } from './learner.ts';
import { learnerByName, trialHyperparameters } from './learners.ts';
import { binaryMetrics, regressionMetrics } from './metrics.ts';
import { targets } from './rows.ts';
import type { Trial } from './searchSpace.ts';
import { FEATURE_SET_PARAM, withFeatureSet, type DatasetSpec } from './spec.ts';
import { kFold } from './split.ts';
import type { RawRow } from './values.ts';

export type MetricSummary = Record<string, { mean: number; std: number }>;

/** The task's metrics of predictions `p` for targets `y`. */
export function scoreOf(spec: DatasetSpec, y: readonly number[], p: readonly number[]): Record<string, number> {
  return { ...(spec.task === 'regression' ? regressionMetrics(y, p) : binaryMetrics(y, p)) };
}

export interface FittedTabular {
  preprocessing: FittedPreprocessing;
  model: TabularModel;
}

/** The spec a trial fits (its feature set, when it names one) and the learner's hyperparameters. */
export function trialSpec(spec: DatasetSpec, trial: Trial): { spec: DatasetSpec; hyper: Trial } {
  const { [FEATURE_SET_PARAM]: featureSet, ...hyper } = trial;
  if (featureSet === undefined) return { spec, hyper };
  if (typeof featureSet !== 'string')
    throw new Error(`trial ${FEATURE_SET_PARAM} must name a feature set, got ${JSON.stringify(featureSet)}`);
  return { spec: withFeatureSet(spec, featureSet), hyper };
}

/** Preprocessing (with the trial's feature set) and the learner fitted on `rows`. */
export function fitTabular(
  spec: DatasetSpec,
  rows: readonly RawRow[],
  learnerName: string,
  trial: Trial,
  seed: number,
): FittedTabular {
  const { learner } = learnerByName(learnerName);
  const chosen = trialSpec(spec, trial);
  const preprocessing = fitPreprocessing(chosen.spec, rows);
  const { x } = transform(preprocessing, rows);
  const model = learner.fit(x, targets(spec, rows), trialHyperparameters(learner, chosen.hyper), {
    task: spec.task,
    seed,
  });
  return { preprocessing, model };
}

/** Predictions of a fitted model for raw rows: the one path for evaluation, batch scoring and serving. */
export function predictTabular(fitted: FittedTabular, rows: readonly RawRow[]): number[] {
  const { learner } = learnerByName(fitted.model.learner);
  return learner.predict(fitted.model, transform(fitted.preprocessing, rows).x);
}

/** A fold's training part preprocessed (the preprocessing fitted on it alone) and its held-out part transformed alike. */
export interface PreparedFold {
  train: { x: number[][]; y: number[] };
  test: { x: number[][]; y: number[] };
}

/** The k folds of `rows`, preprocessed: the same for every trial of a search, so prepared once. */
export function prepareFolds(
  spec: DatasetSpec,
  rows: readonly RawRow[],
  { folds, seed }: { folds: number; seed: number },
): PreparedFold[] {
  const y = targets(spec, rows);
  return kFold(rows.length, { k: folds, seed, ...(spec.task === 'binary' ? { stratify: y } : {}) }).map(
    ({ train, test }) => {
      const trainRows = train.map((i) => rows[i]!);
      const preprocessing = fitPreprocessing(spec, trainRows);
      return {
        train: { x: transform(preprocessing, trainRows).x, y: train.map((i) => y[i]!) },
        test: {
          x: transform(
            preprocessing,
            test.map((i) => rows[i]!),
          ).x,
          y: test.map((i) => y[i]!),
        },
      };
    },
  );
}

/** Mean and population standard deviation of each metric of a learner over prepared folds (`trial`: its hyperparameters alone). */
export function crossValidatePrepared(
  spec: DatasetSpec,
  folds: readonly PreparedFold[],
  learnerName: string,
  trial: Trial,
  seed: number,
): MetricSummary {
  const { learner } = learnerByName(learnerName);
  const hyper = trialHyperparameters(learner, trial);
  const scores = folds.map(({ train, test }) => {
    const model = learner.fit(train.x, train.y, hyper, { task: spec.task, seed });
    return scoreOf(spec, test.y, learner.predict(model, test.x));
  });
  return Object.fromEntries(
    Object.keys(scores[0]!).map((metric) => {
      const values = scores.map((s) => s[metric]!);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
      return [metric, { mean, std }];
    }),
  );
}

/**
 * Cross-validation of many trials on the same rows (a search): each feature set's folds are
 * prepared once, on first use, and shared by every trial that names it.
 */
export function crossValidator(
  spec: DatasetSpec,
  rows: readonly RawRow[],
  options: { folds: number; seed: number },
): (learnerName: string, trial: Trial) => MetricSummary {
  const prepared = new Map<string, PreparedFold[]>();
  return (learnerName, trial) => {
    const chosen = trialSpec(spec, trial);
    const key = JSON.stringify(chosen.spec);
    let folds = prepared.get(key);
    if (!folds) prepared.set(key, (folds = prepareFolds(chosen.spec, rows, options)));
    return crossValidatePrepared(chosen.spec, folds, learnerName, chosen.hyper, options.seed);
  };
}

/** Mean and population standard deviation of each metric over k folds of `rows`, with the trial's feature set. */
export function crossValidate(
  spec: DatasetSpec,
  rows: readonly RawRow[],
  learnerName: string,
  trial: Trial,
  options: { folds: number; seed: number },
): MetricSummary {
  return crossValidator(spec, rows, options)(learnerName, trial);
}
