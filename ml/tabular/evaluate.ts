// Scoring a learner with given hyperparameters on a dataset: k-fold cross-validation on the
// training rows (each fold fits its own preprocessing on its own training part, so nothing of the
// held-out fold leaks in), and the final fit on all training rows scored on the test rows. A
// binary trial may name an oversampling (applied to each fold's training part only, after its
// preprocessing, and to the final training rows); a binary spec with a threshold rule chooses its
// decision threshold on the pooled out-of-fold predictions, never on test rows.
import { fitPreprocessing, transform, type FittedPreprocessing } from './preprocess.ts';
import type { Learner, TabularModel, Task } from './learner.ts';
import { learnerByName, trialHyperparameters } from './learners.ts';
import { binaryMetrics, f1, precision, recall, regressionMetrics } from './metrics.ts';
import { isSampling, oversample, SAMPLING_PARAM, SAMPLINGS, type Sampling } from './oversampling.ts';
import { targets } from './rows.ts';
import type { Trial } from './searchSpace.ts';
import { chooseThreshold } from './threshold.ts';
import { FEATURE_SET_PARAM, withFeatureSet, type DatasetSpec } from './spec.ts';
import { forwardChainingFolds, kFold, randomSplit } from './split.ts';
import type { RawRow } from './values.ts';

export type MetricSummary = Record<string, { mean: number; std: number }>;

/** The task's metrics of predictions `p` for targets `y` (binary: labels at `threshold`, default 0.5). */
export function scoreOf(
  spec: DatasetSpec,
  y: readonly number[],
  p: readonly number[],
  threshold?: number,
): Record<string, number> {
  return { ...(spec.task === 'regression' ? regressionMetrics(y, p) : binaryMetrics(y, p, threshold)) };
}

export interface FittedTabular {
  preprocessing: FittedPreprocessing;
  model: TabularModel;
  /** Binary: the decision threshold chosen on validation predictions, when the spec has a rule. */
  threshold?: number;
}

/** The trial metric holding the threshold chosen on the out-of-fold predictions (std 0: one choice). */
export const THRESHOLD_METRIC = 'threshold';

/** The spec a trial fits (its feature set, when it names one), its oversampling and the learner's hyperparameters. */
export function trialSpec(spec: DatasetSpec, trial: Trial): { spec: DatasetSpec; hyper: Trial; sampling: Sampling } {
  const { [FEATURE_SET_PARAM]: featureSet, [SAMPLING_PARAM]: sampling = 'none', ...hyper } = trial;
  if (!isSampling(sampling))
    throw new Error(`trial ${SAMPLING_PARAM} must be one of ${SAMPLINGS.join(', ')}, got ${JSON.stringify(sampling)}`);
  if (sampling !== 'none' && spec.task !== 'binary')
    throw new Error(`trial ${SAMPLING_PARAM} ${sampling}: oversampling is for binary classification only`);
  if (featureSet === undefined) return { spec, hyper, sampling };
  if (typeof featureSet !== 'string')
    throw new Error(`trial ${FEATURE_SET_PARAM} must name a feature set, got ${JSON.stringify(featureSet)}`);
  return { spec: withFeatureSet(spec, featureSet), hyper, sampling };
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
  const hyper = trialHyperparameters(learner, chosen.hyper);
  const sampled = sampledSet(
    transform(preprocessing, rows).x,
    targets(spec, rows),
    chosen.sampling,
    seed,
    heldOutOf(learner, hyper, seed),
  );
  return { preprocessing, model: fitSampled(learner, hyper, sampled, spec.task, seed) };
}

/** What a learner is fitted on: its training rows, and the rows it stops early on when it holds some out. */
interface FitSet {
  x: number[][];
  y: number[];
  validation?: { x: number[][]; y: number[] };
}

/** The share of its training rows a learner holds out to stop early on, and the seed of that split. */
interface HeldOut {
  share: number;
  seed: number;
}

const heldOutOf = (learner: Learner, hyper: Record<string, unknown>, seed: number): HeldOut => ({
  share: learner.heldOutShare?.(hyper) ?? 0,
  seed,
});

/**
 * A training set oversampled, or as it is (no copy) without oversampling. A learner that holds rows
 * out to stop early (boosting) gets them from the original rows, split off before oversampling: a
 * copy (or SMOTE neighbours) of its held-out rows among those it fits would keep its validation
 * loss falling, so it would not stop early.
 */
function sampledSet(x: number[][], y: number[], sampling: Sampling, seed: number, heldOut: HeldOut): FitSet {
  if (sampling === 'none') return { x, y };
  if (heldOut.share === 0 || x.length < 2) return oversample(x, y, sampling, { seed });
  const { train, test } = randomSplit(x.length, { testShare: heldOut.share, seed: heldOut.seed });
  const fit = oversample(
    train.map((i) => x[i]!),
    train.map((i) => y[i]!),
    sampling,
    { seed },
  );
  return { x: fit.x, y: fit.y, validation: { x: test.map((i) => x[i]!), y: test.map((i) => y[i]!) } };
}

function fitSampled(learner: Learner, hyper: Record<string, unknown>, set: FitSet, task: Task, seed: number) {
  const { x, y, validation } = set;
  return learner.fit(x, y, hyper, { task, seed, ...(validation ? { validation } : {}) });
}

// A search's trials of every learner oversample the same fold the same way (SMOTE's and ADASYN's
// neighbour searches are most of a cheap trial): each fold's oversampled sets are kept with it.
// The same arrays each time also let KNN share its neighbour search across k (knn.ts).
const sampledFolds = new WeakMap<PreparedFold['train'], Map<string, FitSet>>();

function sampledFold(train: PreparedFold['train'], sampling: Sampling, seed: number, heldOut: HeldOut): FitSet {
  if (sampling === 'none') return train;
  let kept = sampledFolds.get(train);
  if (!kept) sampledFolds.set(train, (kept = new Map<string, FitSet>()));
  const key = JSON.stringify([sampling, seed, heldOut.share, heldOut.seed]);
  let set = kept.get(key);
  if (!set) kept.set(key, (set = sampledSet(train.x, train.y, sampling, seed, heldOut)));
  return set;
}

/** The labels of a binary model's probabilities: 1 at or above its threshold (0.5 when it has none). */
export function labelsOf(fitted: Pick<FittedTabular, 'threshold'>, probabilities: readonly number[]): number[] {
  const t = fitted.threshold ?? 0.5;
  return probabilities.map((p) => (p >= t ? 1 : 0));
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

/** The k folds of `rows` as the spec cuts them (shuffled, or forward chaining in time). */
function foldsOf(spec: DatasetSpec, rows: readonly RawRow[], y: number[], k: number, seed: number) {
  const cv = spec.crossValidation;
  if (!cv) return kFold(rows.length, { k, seed, ...(spec.task === 'binary' ? { stratify: y } : {}) });
  const times = rows.map((r, i) => {
    const t = r[cv.column];
    if (typeof t !== 'string' || t === '')
      throw new Error(`spec ${spec.name}: row ${i} has no ${cv.column} (${JSON.stringify(t)}) to order its folds by`);
    return t;
  });
  return forwardChainingFolds(times, { k });
}

/** The k folds of `rows`, preprocessed: the same for every trial of a search, so prepared once. */
export function prepareFolds(
  spec: DatasetSpec,
  rows: readonly RawRow[],
  { folds, seed }: { folds: number; seed: number },
): PreparedFold[] {
  const y = targets(spec, rows);
  return foldsOf(spec, rows, y, folds, seed).map(({ train, test }) => {
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
  });
}

/**
 * Mean and population standard deviation of each metric of a learner over prepared folds (`trial`:
 * its hyperparameters alone). Fold f's training part is oversampled by `sampling` (seed + f); its
 * held-out part never is. With a threshold rule (binary), the threshold is chosen on the held-out
 * predictions of all folds pooled, and the summary adds it (`threshold`) and each fold's precision,
 * recall and F1 at it (`precisionAtThreshold`, ...).
 */
export function crossValidatePrepared(
  spec: DatasetSpec,
  folds: readonly PreparedFold[],
  learnerName: string,
  trial: Trial,
  seed: number,
  sampling: Sampling = 'none',
): MetricSummary {
  const { learner } = learnerByName(learnerName);
  const hyper = trialHyperparameters(learner, trial);
  const predicted = folds.map(({ train, test }, f) => {
    const sampled = sampledFold(train, sampling, seed + f, heldOutOf(learner, hyper, seed));
    const model = fitSampled(learner, hyper, sampled, spec.task, seed);
    return learner.predict(model, test.x);
  });
  const scores = folds.map(({ test }, f) => scoreOf(spec, test.y, predicted[f]!));
  const summary = summarize(scores);
  if (spec.task !== 'binary' || !spec.threshold) return summary;
  const { threshold } = chooseThreshold(
    folds.flatMap(({ test }) => test.y),
    predicted.flat(),
    spec.threshold,
  );
  const atThreshold = summarize(
    folds.map(({ test }, f) => ({
      precisionAtThreshold: precision(test.y, predicted[f]!, threshold),
      recallAtThreshold: recall(test.y, predicted[f]!, threshold),
      f1AtThreshold: f1(test.y, predicted[f]!, threshold),
    })),
  );
  return { ...summary, ...atThreshold, [THRESHOLD_METRIC]: { mean: threshold, std: 0 } };
}

function summarize(scores: readonly Record<string, number>[]): MetricSummary {
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
    return crossValidatePrepared(chosen.spec, folds, learnerName, chosen.hyper, options.seed, chosen.sampling);
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
