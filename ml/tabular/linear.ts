// Ridge, lasso and elastic net for regression, with scikit-learn's objectives so its
// hyperparameters mean the same here. The intercept is never penalized: X and y are centered,
// the penalized problem solved on the centered data, and the intercept recovered from the means.
// - ridge (closed form, Cholesky):  ||y - Xw - b||^2 + alpha ||w||^2            (sklearn Ridge)
// - elastic net (coordinate descent, sklearn ElasticNet):
//     1/(2n) ||y - Xw - b||^2 + alpha l1Ratio ||w||_1 + alpha (1 - l1Ratio) / 2 ||w||^2
// - lasso: the elastic net with l1Ratio = 1                                   (sklearn Lasso)
// No mljs package fits these (ml-regression has least squares and kernel ridge only).
import { choleskySolve } from '../linalg.ts';
import type { Features, FitOptions, Learner, TabularModel } from './learner.ts';
import { checkNumber, checkPredictRows, checkTask, checkTrainingSet } from './learnerInput.ts';

export interface LinearParams {
  intercept: number;
  coefficients: number[];
}

/** Coordinate descent also says whether it met its tolerance, and after how many sweeps. */
export interface CoordinateDescentParams extends LinearParams {
  iterations: number;
  converged: boolean;
  /** The duality gap at the end, on sklearn's scale (n times the objective); null without an L1 part. */
  dualGap: number | null;
}

export type RidgeHyper = { alpha: number };
export type ElasticNetHyper = { alpha: number; l1Ratio: number; maxIterations: number; tol: number };
export type LassoHyper = { alpha: number; maxIterations: number; tol: number };

export const ridge: Learner<RidgeHyper, LinearParams> = {
  name: 'ridge',
  defaults: { alpha: 1 },
  fit(x, y, hyper, options) {
    checkRegression('ridge', x, y, options);
    const alpha = checkNumber('ridge', 'alpha', hyper.alpha, { min: 0, minExclusive: true });
    const { xc, yc, xMean, yMean, n, p } = center(x, y);
    const gram = gramOf(xc, n, p);
    for (let j = 0; j < p; j++) gram[j * p + j]! += alpha;
    const xty = xtyOf(xc, yc, n, p);
    const w = p > 0 ? choleskySolve(gram, xty, p) : new Float64Array(0);
    return linearModel('ridge', p, xMean, yMean, w, {});
  },
  predict: predictLinear,
};

export const elasticNet: Learner<ElasticNetHyper, CoordinateDescentParams> = {
  name: 'elasticNet',
  defaults: { alpha: 1, l1Ratio: 0.5, maxIterations: 1000, tol: 1e-4 },
  fit: (x, y, hyper, options) => fitCoordinateDescent('elasticNet', x, y, hyper, options),
  predict: predictLinear,
};

export const lasso: Learner<LassoHyper, CoordinateDescentParams> = {
  name: 'lasso',
  defaults: { alpha: 1, maxIterations: 1000, tol: 1e-4 },
  fit: (x, y, hyper, options) => fitCoordinateDescent('lasso', x, y, { ...hyper, l1Ratio: 1 }, options),
  predict: predictLinear,
};

/** intercept + coefficients . row, for each row. */
export function predictLinear(model: TabularModel<LinearParams>, x: Features): number[] {
  checkPredictRows(model, x);
  const { intercept, coefficients } = model.params;
  return x.map((row) => {
    let s = intercept;
    for (let j = 0; j < coefficients.length; j++) s += coefficients[j]! * row[j]!;
    return s;
  });
}

// Cyclic coordinate descent as sklearn's enet_coordinate_descent_gram does it: on the n-scaled
// objective, a sweep over the coefficients with a soft threshold each, reading X only through
// X'X and X'y (a sweep costs p^2, not n p: the rows outnumber the features in every task here);
// when the largest change in a sweep is below tol times the largest coefficient, the duality gap
// decides (below tol times ||y - mean||^2). Without an L1 part the gap bound is useless (its dual
// point is 0), so the coefficient change alone decides there.
function fitCoordinateDescent(
  name: string,
  x: Features,
  y: readonly number[],
  hyper: ElasticNetHyper,
  options: FitOptions,
): TabularModel<CoordinateDescentParams> {
  checkRegression(name, x, y, options);
  const alpha = checkNumber(name, 'alpha', hyper.alpha, { min: 0 });
  const l1Ratio = checkNumber(name, 'l1Ratio', hyper.l1Ratio, { min: 0, max: 1 });
  const maxIterations = checkNumber(name, 'maxIterations', hyper.maxIterations, { min: 1, integer: true });
  const tol = checkNumber(name, 'tol', hyper.tol, { min: 0 });
  const { xc, yc, xMean, yMean, n, p } = center(x, y);
  const l1 = alpha * l1Ratio * n;
  const l2 = alpha * (1 - l1Ratio) * n;
  const gram = gramOf(xc, n, p);
  const xty = xtyOf(xc, yc, n, p);
  const yy = dot(yc, yc);
  const w = new Float64Array(p);
  // X'X w, kept up to date as coefficients change: X'r = X'y - X'X w.
  const gw = new Float64Array(p);
  const gapTolerance = tol * yy;
  let iterations = 0;
  let converged = false;
  let gap: number | null = null;
  while (iterations < maxIterations && !converged) {
    iterations++;
    let wMax = 0;
    let changeMax = 0;
    for (let j = 0; j < p; j++) {
      const norm = gram[j * p + j]!;
      if (norm === 0) continue;
      const old = w[j]!;
      const rho = xty[j]! - gw[j]! + norm * old;
      const shrunk = Math.abs(rho) - l1;
      // 0, not -0, where the threshold zeroes it: the model is compared and stored as JSON.
      const next = shrunk > 0 ? (Math.sign(rho) * shrunk) / (norm + l2) : 0;
      if (next !== old) {
        const change = next - old;
        for (let k = 0; k < p; k++) gw[k]! += change * gram[k * p + j]!;
      }
      w[j] = next;
      changeMax = Math.max(changeMax, Math.abs(next - old));
      wMax = Math.max(wMax, Math.abs(next));
    }
    const settled = wMax === 0 || changeMax / wMax < tol;
    if (!settled && iterations < maxIterations) continue;
    if (l1 === 0) {
      converged = settled;
      continue;
    }
    gap = dualityGap(xty, gw, yy, w, p, l1, l2);
    converged = gap <= gapTolerance;
  }
  return linearModel(name, p, xMean, yMean, w, { iterations, converged, dualGap: gap });
}

// The elastic net is a lasso on X stacked over sqrt(l2) I; its dual point is the residual
// scaled into the feasible set ||X'theta - l2 w||_inf <= l1. With r = y - Xw: X'r = X'y - X'X w,
// r'r = y'y - 2 w'X'y + w'X'X w and r'y = y'y - w'X'y.
function dualityGap(
  xty: Float64Array,
  gw: Float64Array,
  yy: number,
  w: Float64Array,
  p: number,
  l1: number,
  l2: number,
): number {
  let dualNorm = 0;
  for (let j = 0; j < p; j++) dualNorm = Math.max(dualNorm, Math.abs(xty[j]! - gw[j]! - l2 * w[j]!));
  const wq = dot(w, xty);
  const rNorm2 = Math.max(0, yy - 2 * wq + dot(w, gw));
  const wNorm2 = dot(w, w);
  const scale = dualNorm > l1 ? l1 / dualNorm : 1;
  let l1Norm = 0;
  for (let j = 0; j < p; j++) l1Norm += Math.abs(w[j]!);
  return 0.5 * rNorm2 * (1 + scale * scale) + l1 * l1Norm - scale * (yy - wq) + 0.5 * l2 * (1 + scale * scale) * wNorm2;
}

/** X'X of centered column-major X (p x p, row-major). */
function gramOf(xc: Float64Array, n: number, p: number): Float64Array {
  const gram = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const cj = j * n;
    for (let k = 0; k <= j; k++) {
      const ck = k * n;
      let s = 0;
      for (let i = 0; i < n; i++) s += xc[cj + i]! * xc[ck + i]!;
      gram[j * p + k] = s;
      gram[k * p + j] = s;
    }
  }
  return gram;
}

/** X'y of centered column-major X. */
function xtyOf(xc: Float64Array, yc: Float64Array, n: number, p: number): Float64Array {
  const xty = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xc[j * n + i]! * yc[i]!;
    xty[j] = s;
  }
  return xty;
}

function checkRegression(name: string, x: Features, y: readonly number[], options: FitOptions): void {
  checkTask(name, options.task, ['regression']);
  checkTrainingSet(name, x, y, options);
}

/** Centered copies, X column-major (column j at j * n) so a coordinate's sweep reads contiguously. */
function center(x: Features, y: readonly number[]) {
  const n = x.length;
  const p = x[0]!.length;
  const xMean = new Float64Array(p);
  for (const row of x) for (let j = 0; j < p; j++) xMean[j]! += row[j]!;
  for (let j = 0; j < p; j++) xMean[j]! /= n;
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const xc = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) xc[j * n + i] = x[i]![j]! - xMean[j]!;
  const yc = Float64Array.from(y, (v) => v - yMean);
  return { xc, yc, xMean, yMean, n, p };
}

function linearModel<E extends object>(
  learner: string,
  p: number,
  xMean: Float64Array,
  yMean: number,
  w: Float64Array,
  extra: E,
): TabularModel<LinearParams & E> {
  let intercept = yMean;
  for (let j = 0; j < p; j++) intercept -= xMean[j]! * w[j]!;
  return { learner, task: 'regression', features: p, params: { intercept, coefficients: Array.from(w), ...extra } };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
