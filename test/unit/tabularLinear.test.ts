import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Matrix, solve } from 'ml-matrix';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { FitOptions } from '../../ml/tabular/learner.ts';
import { elasticNet, lasso, ridge } from '../../ml/tabular/linear.ts';

const regression: FitOptions = { task: 'regression', seed: 0 };

/** n rows of p correlated features and a noisy linear target. */
function randomProblem(seed: number, n: number, p: number) {
  const rng = xoroshiro128plus(seed);
  const u = () => uniformFloat64(rng) * 2 - 1;
  const x = Array.from({ length: n }, () => {
    const base = u();
    return Array.from({ length: p }, (_, j) => u() + 0.5 * base + j);
  });
  const truth = Array.from({ length: p }, (_, j) => (j % 2 ? -1 : 2) * (j + 1));
  const y = x.map((row) => 3 + row.reduce((s, v, j) => s + v * truth[j]!, 0) + u());
  return { x, y };
}

/** The unpenalized-intercept ridge (alpha = 0: least squares) from the normal equations, by ml-matrix. */
function normalEquations(x: number[][], y: number[], alpha: number): number[] {
  const a = new Matrix(x.map((row) => [1, ...row]));
  const m = a.transpose().mmul(a);
  for (let j = 1; j < m.columns; j++) m.set(j, j, m.get(j, j) + alpha);
  return solve(m, a.transpose().mmul(Matrix.columnVector(y))).getColumn(0);
}

function assertClose(actual: number, expected: number, tolerance: number, what: string) {
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );
}

// Columns of a Hadamard matrix without its all-ones column: centered, orthogonal, x_j . x_j = n.
const hadamard8 = Array.from({ length: 8 }, (_, i) => [1, 2, 3].map((j) => (popcount(i & j) % 2) * -2 + 1));
function popcount(v: number) {
  let c = 0;
  for (; v; v >>= 1) c += v & 1;
  return c;
}
const yOrtho = [3, -1, 4, 1, -5, 9, 2, -6];
const softThreshold = (z: number, t: number) => Math.sign(z) * Math.max(Math.abs(z) - t, 0);

describe('lasso and elastic net on orthonormal columns (soft-threshold closed form)', () => {
  const n = 8;
  const yMean = yOrtho.reduce((s, v) => s + v, 0) / n;
  const z = [0, 1, 2].map((j) => hadamard8.reduce((s, row, i) => s + row[j]! * (yOrtho[i]! - yMean), 0) / n);

  it('lasso: w_j = S(x_j . y / n, alpha), intercept = mean(y)', () => {
    for (const alpha of [0.1, 0.75, 1.5, 3]) {
      const model = lasso.fit(hadamard8, yOrtho, { alpha, maxIterations: 100, tol: 1e-10 }, regression);
      assert.equal(model.params.converged, true);
      z.forEach((zj, j) => assertClose(model.params.coefficients[j]!, softThreshold(zj, alpha), 1e-12, `w${j}`));
      assertClose(model.params.intercept, yMean, 1e-12, 'intercept');
    }
    // alpha = 1.5 zeroes some coefficients and not others: the threshold is really applied.
    const w = lasso.fit(hadamard8, yOrtho, { alpha: 1.5, maxIterations: 100, tol: 1e-10 }, regression).params
      .coefficients;
    assert.ok(w.some((v) => v === 0) && w.some((v) => v !== 0), `coefficients ${w.join(', ')}`);
  });

  it('elastic net: w_j = S(z_j, alpha l1Ratio) / (1 + alpha (1 - l1Ratio))', () => {
    for (const [alpha, l1Ratio] of [
      [0.5, 0.5],
      [2, 0.2],
      [1, 0.9],
    ] as const) {
      const model = elasticNet.fit(hadamard8, yOrtho, { alpha, l1Ratio, maxIterations: 100, tol: 1e-10 }, regression);
      z.forEach((zj, j) =>
        assertClose(
          model.params.coefficients[j]!,
          softThreshold(zj, alpha * l1Ratio) / (1 + alpha * (1 - l1Ratio)),
          1e-12,
          `alpha=${alpha} l1Ratio=${l1Ratio} w${j}`,
        ),
      );
    }
  });
});

describe('ridge', () => {
  it('equals the normal-equation solution with an unpenalized intercept', () => {
    const { x, y } = randomProblem(1, 60, 5);
    for (const alpha of [0.01, 1, 100]) {
      const expected = normalEquations(x, y, alpha);
      const model = ridge.fit(x, y, { alpha }, regression);
      assertClose(model.params.intercept, expected[0]!, 1e-8, `alpha=${alpha} intercept`);
      model.params.coefficients.forEach((w, j) => assertClose(w, expected[j + 1]!, 1e-8, `alpha=${alpha} w${j}`));
      const predictions = ridge.predict(model, x.slice(0, 3));
      predictions.forEach((v, i) =>
        assertClose(v, expected[0]! + x[i]!.reduce((s, xj, j) => s + xj * expected[j + 1]!, 0), 1e-8, `row ${i}`),
      );
    }
  });

  it('is the elastic net with l1Ratio = 0 at alpha / n', () => {
    const { x, y } = randomProblem(2, 40, 4);
    const r = ridge.fit(x, y, { alpha: 8 }, regression);
    const e = elasticNet.fit(x, y, { alpha: 8 / 40, l1Ratio: 0, maxIterations: 10_000, tol: 1e-12 }, regression);
    assert.equal(e.params.converged, true);
    assert.equal(e.params.dualGap, null);
    r.params.coefficients.forEach((w, j) => assertClose(e.params.coefficients[j]!, w, 1e-8, `w${j}`));
    assertClose(e.params.intercept, r.params.intercept, 1e-8, 'intercept');
  });
});

describe('alpha -> 0 is least squares', () => {
  const { x, y } = randomProblem(3, 50, 4);
  const ols = normalEquations(x, y, 0);
  it('for ridge, lasso and elastic net', () => {
    const models = [
      ridge.fit(x, y, { alpha: 1e-10 }, regression),
      lasso.fit(x, y, { alpha: 1e-12, maxIterations: 100_000, tol: 1e-14 }, regression),
      elasticNet.fit(x, y, { alpha: 1e-12, l1Ratio: 0.5, maxIterations: 100_000, tol: 1e-14 }, regression),
    ];
    for (const model of models) {
      assertClose(model.params.intercept, ols[0]!, 1e-6, `${model.learner} intercept`);
      model.params.coefficients.forEach((w, j) => assertClose(w, ols[j + 1]!, 1e-6, `${model.learner} w${j}`));
    }
  });
});

describe('lasso on correlated data', () => {
  const { x, y } = randomProblem(4, 80, 6);
  const n = x.length;

  it('meets the optimality conditions: |x_j . r| / n <= alpha, = alpha sign(w_j) where w_j != 0', () => {
    const alpha = 0.3;
    const model = lasso.fit(x, y, { alpha, maxIterations: 10_000, tol: 1e-10 }, regression);
    assert.equal(model.params.converged, true);
    assert.ok(model.params.dualGap !== null && model.params.dualGap >= -1e-9, `gap ${model.params.dualGap}`);
    const predictions = lasso.predict(model, x);
    const r = y.map((v, i) => v - predictions[i]!);
    assertClose(r.reduce((s, v) => s + v, 0) / n, 0, 1e-9, 'mean residual');
    model.params.coefficients.forEach((w, j) => {
      const g = x.reduce((s, row, i) => s + row[j]! * r[i]!, 0) / n;
      if (w === 0) assert.ok(Math.abs(g) <= alpha + 1e-6, `w${j} = 0 but |gradient| ${g}`);
      else assertClose(g, alpha * Math.sign(w), 1e-5, `w${j} gradient`);
    });
  });

  it('gives all zeros and the mean above the largest |x_j . (y - mean)| / n', () => {
    const yMean = y.reduce((s, v) => s + v, 0) / n;
    const xMeans = x[0]!.map((_, j) => x.reduce((s, row) => s + row[j]!, 0) / n);
    const alphaMax = Math.max(
      ...xMeans.map((m, j) => Math.abs(x.reduce((s, row, i) => s + (row[j]! - m) * (y[i]! - yMean), 0)) / n),
    );
    const model = lasso.fit(x, y, { alpha: alphaMax * 1.001, maxIterations: 100, tol: 1e-4 }, regression);
    assert.deepEqual(model.params.coefficients, [0, 0, 0, 0, 0, 0]);
    assertClose(model.params.intercept, yMean, 1e-12, 'intercept');
    const below = lasso.fit(x, y, { alpha: alphaMax * 0.99, maxIterations: 100, tol: 1e-4 }, regression);
    assert.ok(below.params.coefficients.some((w) => w !== 0));
  });

  it('says when it stopped before converging', () => {
    const model = lasso.fit(x, y, { alpha: 0.01, maxIterations: 1, tol: 1e-12 }, regression);
    assert.equal(model.params.iterations, 1);
    assert.equal(model.params.converged, false);
    assert.ok(model.params.dualGap! > 0);
  });

  it('is plain JSON', () => {
    const model = lasso.fit(x, y, lasso.defaults, regression);
    assert.deepEqual(JSON.parse(JSON.stringify(model)), model);
  });
});

describe('linear models refuse bad input', () => {
  const x = [
    [1, 2],
    [2, 1],
    [3, 5],
  ];
  const y = [1, 2, 3];
  it('names the hyperparameter and its value', () => {
    assert.throws(() => ridge.fit(x, y, { alpha: 0 }, regression), /ridge: alpha must be a finite number > 0, got 0/);
    assert.throws(() => lasso.fit(x, y, { ...lasso.defaults, alpha: -1 }, regression), /lasso: alpha .* got -1/);
    assert.throws(
      () => elasticNet.fit(x, y, { ...elasticNet.defaults, l1Ratio: 1.5 }, regression),
      /elasticNet: l1Ratio must be a finite number >= 0 and <= 1, got 1.5/,
    );
    assert.throws(
      () => lasso.fit(x, y, { ...lasso.defaults, maxIterations: 2.5 }, regression),
      /maxIterations must be a whole number/,
    );
  });
  it('names the row, the feature and the value', () => {
    assert.throws(
      () =>
        ridge.fit(
          [
            [1, 2],
            [NaN, 1],
            [3, 5],
          ],
          y,
          { alpha: 1 },
          regression,
        ),
      /x\[1\]\[0\] is NaN/,
    );
    assert.throws(
      () => ridge.fit([[1, 2], [2], [3, 5]], y, { alpha: 1 }, regression),
      /row 1 has 1 features, expected 2/,
    );
    assert.throws(() => ridge.fit(x, [1, 2], { alpha: 1 }, regression), /3 rows but 2 targets/);
    assert.throws(() => ridge.fit([], [], { alpha: 1 }, regression), /ridge: no training rows/);
    const model = ridge.fit(x, y, { alpha: 1 }, regression);
    assert.throws(() => ridge.predict(model, [[1, 2, 3]]), /ridge: row 0 has 3 features, expected 2/);
  });
  it('refuses classification', () => {
    assert.throws(
      () => lasso.fit(x, [0, 1, 1], lasso.defaults, { task: 'binary', seed: 0 }),
      /lasso: task binary is not supported \(only regression\)/,
    );
  });
});
