import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { choleskySolve } from '../../ml/linalg.ts';

// ml-matrix is the reference: the hand-written solve must agree with it.
describe('choleskySolve against ml-matrix', () => {
  const rng = xoroshiro128plus(9);
  const random = () => uniformFloat64(rng) * 2 - 1;

  it('solves random symmetric positive-definite systems as ml-matrix does', () => {
    for (const p of [1, 2, 5, 26, 40]) {
      const m = Matrix.from1DArray(p + 3, p, Array.from({ length: (p + 3) * p }, random));
      const a = m.transpose().mmul(m).add(Matrix.eye(p, p).mul(0.01));
      const b = Array.from({ length: p }, random);
      const expected = new CholeskyDecomposition(a).solve(Matrix.columnVector(b)).getColumn(0);
      const actual = choleskySolve(Float64Array.from(a.to1DArray()), Float64Array.from(b), p);
      actual.forEach((v, i) =>
        assert.ok(
          Math.abs(v - expected[i]!) < 1e-8 * Math.max(1, Math.abs(expected[i]!)),
          `p=${p} x[${i}]: ${v} vs ${expected[i]}`,
        ),
      );
    }
  });

  it('refuses a matrix that is not positive definite', () => {
    assert.throws(
      () => choleskySolve(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2),
      /not positive definite \(pivot 1/,
    );
  });
});
