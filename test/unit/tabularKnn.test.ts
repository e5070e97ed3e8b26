import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { FitOptions } from '../../ml/tabular/learner.ts';
import { knn, type KnnHyper } from '../../ml/tabular/knn.ts';

const regression: FitOptions = { task: 'regression', seed: 0 };
const binary: FitOptions = { task: 'binary', seed: 0 };
const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

describe('knn', () => {
  const x = [[0], [1], [2], [3], [10]];
  const y = [1, 2, 3, 4, 100];

  it('regression: the mean of the k nearest targets, or their inverse-distance average', () => {
    const uniform = knn.fit(x, y, { k: 2, weights: 'uniform' }, regression);
    assert.deepEqual(knn.predict(uniform, [[1.4], [9], [-5]]), [2.5, (100 + 4) / 2, 1.5]);
    const weighted = knn.fit(x, y, { k: 2, weights: 'distance' }, regression);
    const [p] = knn.predict(weighted, [[1.4]]);
    // (2 / 0.4 + 3 / 0.6) / (1 / 0.4 + 1 / 0.6) = 10 / (25 / 6)
    assert.ok(close(p!, 2.4), `${p}`);
  });

  it('with distance weights, rows at distance 0 take all the weight', () => {
    const model = knn.fit(
      [
        [0, 0],
        [0, 0],
        [1, 0],
        [0, 1],
      ],
      [4, 6, 100, 100],
      { k: 3, weights: 'distance' },
      regression,
    );
    assert.deepEqual(knn.predict(model, [[0, 0]]), [5]);
  });

  it('binary: the share of class 1 among the neighbours', () => {
    const points = [
      [0, 0],
      [0, 1],
      [1, 0],
      [5, 5],
      [5, 6],
      [6, 5],
    ];
    const labels = [0, 1, 1, 1, 0, 0];
    const model = knn.fit(points, labels, { k: 3, weights: 'uniform' }, binary);
    assert.equal(model.task, 'binary');
    const [near, far] = knn.predict(model, [
      [0.1, 0.1],
      [5.2, 5.2],
    ]);
    assert.ok(close(near!, 2 / 3) && close(far!, 1 / 3), `${near} ${far}`);
    assert.deepEqual(knn.predict(knn.fit(points, labels, { k: 6, weights: 'uniform' }, binary), [[100, 100]]), [0.5]);
  });

  it('breaks ties at the k-th distance by the earlier training row', () => {
    const tied = [[1], [-1], [1], [-1]];
    const model = (k: number) => knn.fit(tied, [10, 20, 30, 40], { k, weights: 'uniform' }, regression);
    assert.deepEqual(knn.predict(model(1), [[0]]), [10]);
    assert.deepEqual(knn.predict(model(2), [[0]]), [15]);
    assert.deepEqual(knn.predict(model(3), [[0]]), [20]);
  });

  it('agrees with sorting all rows by (distance, row) on random data', () => {
    const rng = xoroshiro128plus(7);
    // Coarse values so that ties happen.
    const u = () => Math.floor(uniformFloat64(rng) * 4);
    const train = Array.from({ length: 60 }, () => [u(), u(), u()]);
    const targets = train.map(() => uniformFloat64(rng) * 10);
    const queries = Array.from({ length: 20 }, () => [u() + 0.5, u(), u()]);
    for (const hyper of [1, 2, 5, 13, 60].flatMap((k): KnnHyper[] => [
      { k, weights: 'uniform' },
      { k, weights: 'distance' },
    ])) {
      const predicted = knn.predict(knn.fit(train, targets, hyper, regression), queries);
      queries.forEach((q, qi) => {
        const order = train
          .map((row, i) => ({ i, d: Math.hypot(...row.map((v, j) => v - q[j]!)) }))
          .sort((a, b) => a.d - b.d || a.i - b.i)
          .slice(0, hyper.k);
        const w = order.map(({ d }) => (hyper.weights === 'uniform' ? 1 : 1 / d));
        const expected = order.reduce((s, { i }, r) => s + w[r]! * targets[i]!, 0) / w.reduce((s, v) => s + v, 0);
        assert.ok(
          Math.abs(predicted[qi]! - expected) < 1e-9,
          `k=${hyper.k} ${hyper.weights} query ${qi}: ${predicted[qi]} vs ${expected}`,
        );
      });
    }
  });

  it('answers for the rows as they are now when the same arrays come back changed', () => {
    const train = [[0], [1], [2], [3]];
    const targets = [0, 10, 20, 30];
    const queries = [[0.1], [2.9]];
    const fit = () => knn.fit(train, targets, { k: 1, weights: 'uniform' }, regression);
    assert.deepEqual(knn.predict(fit(), queries), [0, 30]);
    queries[0]![0] = 1.2;
    assert.deepEqual(knn.predict(fit(), queries), [10, 30], 'a changed query row');
    train[3]![0] = 100;
    assert.deepEqual(knn.predict(fit(), queries), [10, 20], 'a changed training row');
  });

  it('is plain JSON and does not share the caller’s arrays', () => {
    const rows = [
      [1, 2],
      [3, 4],
    ];
    const model = knn.fit(rows, [1, 0], { k: 1, weights: 'uniform' }, binary);
    rows[0]![0] = 99;
    assert.deepEqual(JSON.parse(JSON.stringify(model)), model);
    assert.deepEqual(model.params.x, [
      [1, 2],
      [3, 4],
    ]);
  });

  it('refuses bad input with the field and value', () => {
    assert.throws(
      () => knn.fit(x, y, { k: 6, weights: 'uniform' }, regression),
      /knn: k must be a whole number >= 1 and <= 5, got 6/,
    );
    assert.throws(() => knn.fit(x, y, { k: 0, weights: 'uniform' }, regression), /knn: k .* got 0/);
    assert.throws(
      () => knn.fit(x, y, { k: 1, weights: 'gaussian' as KnnHyper['weights'] }, regression),
      /knn: weights must be 'uniform' or 'distance', got gaussian/,
    );
    assert.throws(
      () => knn.predict(knn.fit(x, y, knn.defaults, regression), [[1, 2]]),
      /knn: row 0 has 2 features, expected 1/,
    );
    assert.throws(() => knn.fit(x, y, knn.defaults, binary), /knn: binary target y\[1\] is 2, not 0 or 1/);
  });
});
