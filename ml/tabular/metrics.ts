// Metrics for tabular models, from scratch, with scikit-learn's definitions: RMSE, MAE, R2 for
// regression; precision, recall, F1 at a threshold, log loss, ROC AUC (Mann–Whitney, ties counted
// half, which is the trapezoid under the ROC curve) and PR AUC as average precision for binary
// classification (targets 0 or 1, predictions the probability of 1).

function check(name: string, y: readonly number[], p: readonly number[], binary: boolean): void {
  if (y.length !== p.length) throw new Error(`${name}: ${y.length} targets but ${p.length} predictions`);
  if (y.length === 0) throw new Error(`${name}: no rows`);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(p[i])) throw new Error(`${name}: prediction ${i} is ${p[i]}, not a finite number`);
    if (binary ? y[i] !== 0 && y[i] !== 1 : !Number.isFinite(y[i]))
      throw new Error(`${name}: target ${i} is ${y[i]}, not ${binary ? '0 or 1' : 'a finite number'}`);
  }
}

export function rmse(y: readonly number[], p: readonly number[]): number {
  check('rmse', y, p, false);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i]! - p[i]!) ** 2;
  return Math.sqrt(s / y.length);
}

export function mae(y: readonly number[], p: readonly number[]): number {
  check('mae', y, p, false);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(y[i]! - p[i]!);
  return s / y.length;
}

/** 1 - residual / total sum of squares; for a constant target, 1 when predicted exactly and 0 otherwise (as scikit-learn). */
export function r2(y: readonly number[], p: readonly number[]): number {
  check('r2', y, p, false);
  const m = y.reduce((a, b) => a + b, 0) / y.length;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    residual += (y[i]! - p[i]!) ** 2;
    total += (y[i]! - m) ** 2;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Counts with a probability at or above `threshold` predicted as 1. */
export function confusion(y: readonly number[], p: readonly number[], threshold = 0.5): Confusion {
  check('confusion', y, p, true);
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < y.length; i++) {
    const predicted = p[i]! >= threshold;
    const actual = y[i] === 1;
    if (predicted && actual) c.tp++;
    else if (predicted) c.fp++;
    else if (actual) c.fn++;
    else c.tn++;
  }
  return c;
}

// A zero denominator gives 0, as scikit-learn's zero_division default does (with its warning).
const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function precision(y: readonly number[], p: readonly number[], threshold = 0.5): number {
  const c = confusion(y, p, threshold);
  return ratio(c.tp, c.tp + c.fp);
}

export function recall(y: readonly number[], p: readonly number[], threshold = 0.5): number {
  const c = confusion(y, p, threshold);
  return ratio(c.tp, c.tp + c.fn);
}

export function f1(y: readonly number[], p: readonly number[], threshold = 0.5): number {
  const c = confusion(y, p, threshold);
  return ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn);
}

/** Mean negative log-likelihood, probabilities clipped to [eps, 1 - eps] as scikit-learn does. */
export function logLoss(y: readonly number[], p: readonly number[]): number {
  check('logLoss', y, p, true);
  const eps = Number.EPSILON;
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(Math.max(p[i]!, eps), 1 - eps);
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / y.length;
}

function bothClasses(name: string, y: readonly number[]): number {
  const positives = y.reduce((a, b) => a + b, 0);
  if (positives === 0 || positives === y.length)
    throw new Error(`${name}: needs both classes, got only ${positives === 0 ? 0 : 1}s`);
  return positives;
}

/** The probability that a random positive scores above a random negative, ties counting half. */
export function rocAuc(y: readonly number[], scores: readonly number[]): number {
  check('rocAuc', y, scores, true);
  const positives = bothClasses('rocAuc', y);
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  // average ranks (1-based) over runs of tied scores
  let positiveRanks = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) if (y[order[k]!] === 1) positiveRanks += rank;
    start = end + 1;
  }
  const negatives = y.length - positives;
  return (positiveRanks - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Average precision as scikit-learn: the sum over score thresholds of (recall gained) x precision there. */
export function averagePrecision(y: readonly number[], scores: readonly number[]): number {
  check('averagePrecision', y, scores, true);
  const positives = y.reduce((a, b) => a + b, 0);
  if (positives === 0) throw new Error('averagePrecision: needs at least one positive');
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let tp = 0;
  let fp = 0;
  let lastRecall = 0;
  let ap = 0;
  for (let k = 0; k < order.length; k++) {
    if (y[order[k]!] === 1) tp++;
    else fp++;
    // tied scores are one threshold: count them together
    if (k + 1 < order.length && scores[order[k + 1]!] === scores[order[k]!]) continue;
    const r = tp / positives;
    ap += (r - lastRecall) * (tp / (tp + fp));
    lastRecall = r;
  }
  return ap;
}

export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

export function regressionMetrics(y: readonly number[], p: readonly number[]): RegressionMetrics {
  return { rmse: rmse(y, p), mae: mae(y, p), r2: r2(y, p) };
}

export interface BinaryMetrics {
  precision: number;
  recall: number;
  f1: number;
  logLoss: number;
  rocAuc: number;
  prAuc: number;
}

export function binaryMetrics(y: readonly number[], p: readonly number[], threshold = 0.5): BinaryMetrics {
  return {
    precision: precision(y, p, threshold),
    recall: recall(y, p, threshold),
    f1: f1(y, p, threshold),
    logLoss: logLoss(y, p),
    rocAuc: rocAuc(y, p),
    prAuc: averagePrecision(y, p),
  };
}
