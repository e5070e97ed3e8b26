import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { FitOptions } from '../../ml/tabular/learner.ts';
import { logistic } from '../../ml/tabular/logistic.ts';

const binary: FitOptions = { task: 'binary', seed: 0 };
const logit = (q: number) => Math.log(q / (1 - q));

function randomProblem(seed: number, n: number, p: number) {
  const rng = xoroshiro128plus(seed);
  const u = () => uniformFloat64(rng);
  const x = Array.from({ length: n }, () => Array.from({ length: p }, (_, j) => (u() * 2 - 1) * (j + 1) + j));
  const y = x.map((row): number => {
    const z = 0.5 + row.reduce((s, v, j) => s + v * (j % 2 ? -0.7 : 0.9), 0) - 1;
    return u() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  });
  return { x, y };
}

describe('logistic regression', () => {
  it('on one 0/1 feature without penalty: the log odds of each group (closed form)', () => {
    // x = 0: 3 of 10 positive; x = 1: 7 of 10 positive.
    const x = Array.from({ length: 20 }, (_, i) => [i < 10 ? 0 : 1]);
    const y = Array.from({ length: 20 }, (_, i) => (i < 10 ? (i < 3 ? 1 : 0) : i < 17 ? 1 : 0));
    const model = logistic.fit(x, y, { C: 1e12, maxIterations: 100, tol: 1e-12 }, binary);
    assert.equal(model.params.converged, true);
    assert.ok(Math.abs(model.params.intercept - logit(0.3)) < 1e-9, `intercept ${model.params.intercept}`);
    const w = model.params.coefficients[0]!;
    assert.ok(Math.abs(w - (logit(0.7) - logit(0.3))) < 1e-9, `coefficient ${w}`);
    const [p0, p1] = logistic.predict(model, [[0], [1]]);
    assert.ok(Math.abs(p0! - 0.3) < 1e-9 && Math.abs(p1! - 0.7) < 1e-9, `${p0} ${p1}`);
  });

  it('meets the optimality conditions: sum(p - y) = 0, X^T (p - y) + w / C = 0', () => {
    const { x, y } = randomProblem(5, 200, 4);
    for (const C of [0.01, 0.5, 100]) {
      const model = logistic.fit(x, y, { C, maxIterations: 100, tol: 1e-12 }, binary);
      assert.equal(model.params.converged, true, `C=${C}`);
      const p = logistic.predict(model, x);
      const r = p.map((v, i) => v - y[i]!);
      assert.ok(Math.abs(r.reduce((s, v) => s + v, 0)) < 1e-8, `C=${C} intercept gradient`);
      model.params.coefficients.forEach((w, j) => {
        const g = x.reduce((s, row, i) => s + row[j]! * r[i]!, 0) + w / C;
        assert.ok(Math.abs(g) < 1e-7, `C=${C} gradient ${j}: ${g}`);
      });
    }
  });

  it('shrinks the coefficients as C falls, to the prior log odds', () => {
    const { x, y } = randomProblem(6, 150, 3);
    const norms = [100, 1, 0.01, 1e-9].map((C) => {
      const model = logistic.fit(x, y, { C, maxIterations: 100, tol: 1e-12 }, binary);
      return { model, norm: Math.hypot(...model.params.coefficients) };
    });
    for (let i = 1; i < norms.length; i++)
      assert.ok(norms[i]!.norm < norms[i - 1]!.norm, `norms ${norms.map((v) => v.norm).join(', ')}`);
    const prior = y.reduce((s, v) => s + v, 0) / y.length;
    const flat = logistic.predict(norms.at(-1)!.model, x.slice(0, 5));
    flat.forEach((v) => assert.ok(Math.abs(v - prior) < 1e-6, `${v} vs ${prior}`));
  });

  it('stays finite on separable classes and predicts them', () => {
    const x = [[-3], [-2], [-1], [1], [2], [3]];
    const y = [0, 0, 0, 1, 1, 1];
    const model = logistic.fit(x, y, logistic.defaults, binary);
    assert.equal(model.params.converged, true);
    assert.ok(Number.isFinite(model.params.coefficients[0]!) && model.params.coefficients[0]! > 0);
    const p = logistic.predict(model, x);
    p.forEach((v, i) => assert.ok(v > 0 && v < 1 && v > 0.5 === (y[i] === 1), `row ${i}: ${v}`));
    assert.deepEqual(JSON.parse(JSON.stringify(model)), model);
  });

  it('gives probabilities without overflow far from the boundary', () => {
    const model = {
      learner: 'logistic',
      task: 'binary' as const,
      features: 1,
      params: { intercept: 0, coefficients: [1], iterations: 0, converged: true },
    };
    assert.deepEqual(logistic.predict(model, [[-800], [800]]), [0, 1]);
  });

  it('refuses bad input with the field and value', () => {
    const x = [[1], [2], [3]];
    assert.throws(
      () => logistic.fit(x, [1, 1, 1], logistic.defaults, binary),
      /logistic: the targets need both classes, all 3 are 1/,
    );
    assert.throws(
      () => logistic.fit(x, [0, 2, 1], logistic.defaults, binary),
      /logistic: binary target y\[1\] is 2, not 0 or 1/,
    );
    assert.throws(
      () => logistic.fit(x, [0, 1, 1], { ...logistic.defaults, C: 0 }, binary),
      /logistic: C must be a finite number > 0, got 0/,
    );
    assert.throws(
      () => logistic.fit(x, [0, 1, 1], logistic.defaults, { task: 'regression', seed: 0 }),
      /logistic: task regression is not supported \(only binary\)/,
    );
  });
});
