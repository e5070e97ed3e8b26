// L2-regularized logistic regression for binary classification, with scikit-learn's objective
// (its C, the intercept not penalized): sum of log losses + ||w||^2 / (2C). Solved by Newton's
// method with a backtracking line search on X centered (better conditioned; the intercept
// absorbs the means): a few Cholesky solves of a (p+1) x (p+1) system. ml-logistic-regression
// was not used: it runs a fixed number of gradient steps with no intercept and no penalty, and
// returns classes, not probabilities.
import { choleskySolve } from '../linalg.ts';
import type { Learner } from './learner.ts';
import { checkNumber, checkPredictRows, checkTask, checkTrainingSet } from './learnerInput.ts';
import type { LinearParams } from './linear.ts';

export interface LogisticParams extends LinearParams {
  iterations: number;
  converged: boolean;
}

/** tol bounds the largest gradient component of the objective divided by the number of rows. */
export type LogisticHyper = { C: number; maxIterations: number; tol: number };

export const logistic: Learner<LogisticHyper, LogisticParams> = {
  name: 'logistic',
  defaults: { C: 1, maxIterations: 100, tol: 1e-8 },
  fit(x, y, hyper, options) {
    checkTask('logistic', options.task, ['binary']);
    checkTrainingSet('logistic', x, y, options);
    const C = checkNumber('logistic', 'C', hyper.C, { min: 0, minExclusive: true });
    const maxIterations = checkNumber('logistic', 'maxIterations', hyper.maxIterations, { min: 1, integer: true });
    const tol = checkNumber('logistic', 'tol', hyper.tol, { min: 0 });
    const positives = y.reduce((s, v) => s + v, 0);
    if (positives === 0 || positives === y.length)
      throw new Error(`logistic: the targets need both classes, all ${y.length} are ${y[0]}`);

    const n = x.length;
    const p = x[0]!.length;
    const m = p + 1; // the intercept is coordinate 0
    const xMean = new Float64Array(p);
    for (const row of x) for (let j = 0; j < p; j++) xMean[j]! += row[j]!;
    for (let j = 0; j < p; j++) xMean[j]! /= n;
    const a = new Float64Array(n * m); // row-major [1, x - mean]
    for (let i = 0; i < n; i++) {
      a[i * m] = 1;
      for (let j = 0; j < p; j++) a[i * m + j + 1] = x[i]![j]! - xMean[j]!;
    }
    const penalty = 1 / C;
    const objective = (beta: Float64Array): number => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        const z = dotRow(a, i, m, beta);
        f += softplus(z) - y[i]! * z;
      }
      for (let j = 1; j < m; j++) f += 0.5 * penalty * beta[j]! ** 2;
      return f;
    };

    const beta = new Float64Array(m);
    const prior = positives / n;
    beta[0] = Math.log(prior / (1 - prior));
    let f = objective(beta);
    let iterations = 0;
    let converged = false;
    for (;;) {
      const gradient = new Float64Array(m);
      const hessian = new Float64Array(m * m);
      for (let i = 0; i < n; i++) {
        const prob = sigmoid(dotRow(a, i, m, beta));
        const residual = prob - y[i]!;
        const weight = prob * (1 - prob);
        const o = i * m;
        for (let j = 0; j < m; j++) {
          const aij = a[o + j]!;
          gradient[j]! += residual * aij;
          const wa = weight * aij;
          // The lower triangle is all choleskySolve reads.
          for (let k = 0; k <= j; k++) hessian[j * m + k]! += wa * a[o + k]!;
        }
      }
      let gradientMax = 0;
      for (let j = 0; j < m; j++) {
        if (j > 0) {
          gradient[j]! += penalty * beta[j]!;
          hessian[j * m + j]! += penalty;
        }
        gradientMax = Math.max(gradientMax, Math.abs(gradient[j]!));
      }
      if (gradientMax / n <= tol) {
        converged = true;
        break;
      }
      if (iterations === maxIterations) break;
      iterations++;
      // Near-separable classes make the intercept's curvature vanish: a tiny ridge keeps the
      // Cholesky solve defined; the line search and the gradient test keep the answer exact.
      let diagonalMax = 0;
      for (let j = 0; j < m; j++) diagonalMax = Math.max(diagonalMax, hessian[j * m + j]!);
      for (let j = 0; j < m; j++) hessian[j * m + j]! += 1e-12 * (1 + diagonalMax);
      const step = choleskySolve(hessian, gradient, m);
      let slope = 0;
      for (let j = 0; j < m; j++) slope -= gradient[j]! * step[j]!;
      // Armijo backtracking; near the optimum the decrease falls below rounding of f, so a step
      // that raises f by no more than that rounding is taken and the gradient test decides.
      const slack = 1e-12 * (1 + Math.abs(f));
      const trial = new Float64Array(m);
      let fTrial = Infinity;
      let accepted = false;
      for (let t = 1, halvings = 0; halvings < 60 && !accepted; halvings++, t /= 2) {
        for (let j = 0; j < m; j++) trial[j] = beta[j]! - t * step[j]!;
        fTrial = objective(trial);
        accepted = fTrial <= f + 1e-4 * t * slope + slack;
      }
      if (!accepted) break;
      beta.set(trial);
      f = fTrial;
    }
    let intercept = beta[0];
    for (let j = 0; j < p; j++) intercept -= xMean[j]! * beta[j + 1]!;
    return {
      learner: 'logistic',
      task: 'binary',
      features: p,
      params: { intercept, coefficients: Array.from(beta.subarray(1)), iterations, converged },
    };
  },
  predict(model, x) {
    checkPredictRows(model, x);
    const { intercept, coefficients } = model.params;
    return x.map((row) => {
      let z = intercept;
      for (let j = 0; j < coefficients.length; j++) z += coefficients[j]! * row[j]!;
      return sigmoid(z);
    });
  },
};

function dotRow(a: Float64Array, i: number, m: number, beta: Float64Array): number {
  let s = 0;
  const o = i * m;
  for (let j = 0; j < m; j++) s += a[o + j]! * beta[j]!;
  return s;
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}
