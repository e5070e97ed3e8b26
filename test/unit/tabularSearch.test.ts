import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LEARNERS, learnerByName, trialHyperparameters } from '../../ml/tabular/learners.ts';
import { sampleTrials, type SearchSpace } from '../../ml/tabular/searchSpace.ts';

describe('sampleTrials: grid', () => {
  it('is every combination, the first hyperparameter slowest', () => {
    const space = { a: [1, 2], b: ['x', 'y', 'z'], c: [true] };
    assert.deepEqual(sampleTrials(space, { kind: 'grid' }), [
      { a: 1, b: 'x', c: true },
      { a: 1, b: 'y', c: true },
      { a: 1, b: 'z', c: true },
      { a: 2, b: 'x', c: true },
      { a: 2, b: 'y', c: true },
      { a: 2, b: 'z', c: true },
    ]);
    assert.equal(sampleTrials(space, { kind: 'grid', n: 6 }).length, 6);
    assert.deepEqual(sampleTrials({}, { kind: 'grid' }), [{}]);
  });

  it('refuses a range, and a grid larger than n instead of dropping points', () => {
    assert.throws(
      () => sampleTrials({ a: [1], b: { min: 0, max: 1 } }, { kind: 'grid' }),
      /a grid needs a list of values for b, got a range \{"min":0,"max":1\}/,
    );
    assert.throws(
      () => sampleTrials({ a: [1, 2, 3], b: [1, 2] }, { kind: 'grid', n: 5 }),
      /the grid has 6 points, more than n = 5/,
    );
  });
});

describe('sampleTrials: random', () => {
  const space: SearchSpace = {
    alpha: { min: 1e-3, max: 1e3, log: true },
    ratio: { min: 0.25, max: 0.5 },
    k: { min: 1, max: 4, integer: true },
    leaves: { min: 2, max: 64, integer: true, log: true },
    weights: ['uniform', 'distance'],
  };
  const draws = sampleTrials(space, { kind: 'random', n: 2000, seed: 42 });

  it('is deterministic by seed', () => {
    assert.equal(draws.length, 2000);
    assert.deepEqual(sampleTrials(space, { kind: 'random', n: 2000, seed: 42 }), draws);
    assert.notDeepEqual(sampleTrials(space, { kind: 'random', n: 20, seed: 43 }), draws.slice(0, 20));
    // The first trials do not depend on how many are drawn.
    assert.deepEqual(sampleTrials(space, { kind: 'random', n: 5, seed: 42 }), draws.slice(0, 5));
  });

  it("spreads the first draws of consecutive seeds over the range (a search's learners each start from one)", () => {
    const first = Array.from(
      { length: 20 },
      (_, seed) => sampleTrials({ u: { min: 0, max: 1 } }, { kind: 'random', n: 1, seed })[0]!.u as number,
    );
    assert.ok(first.filter((u) => u < 0.5).length >= 5, `first draws: ${first.map((u) => u.toFixed(2)).join(' ')}`);
    assert.ok(first.filter((u) => u >= 0.5).length >= 5, `first draws: ${first.map((u) => u.toFixed(2)).join(' ')}`);
  });

  it('stays within bounds, whole numbers where asked, every listed value and every whole number reached', () => {
    for (const t of draws) {
      assert.deepEqual(Object.keys(t), ['alpha', 'ratio', 'k', 'leaves', 'weights']);
      const { alpha, ratio, k, leaves } = t as { alpha: number; ratio: number; k: number; leaves: number };
      assert.ok(alpha >= 1e-3 && alpha <= 1e3, `alpha ${alpha}`);
      assert.ok(ratio >= 0.25 && ratio <= 0.5, `ratio ${ratio}`);
      assert.ok(Number.isInteger(k) && k >= 1 && k <= 4, `k ${k}`);
      assert.ok(Number.isInteger(leaves) && leaves >= 2 && leaves <= 64, `leaves ${leaves}`);
    }
    assert.deepEqual(new Set(draws.map((t) => t.k)), new Set([1, 2, 3, 4]));
    assert.deepEqual(new Set(draws.map((t) => t.weights)), new Set(['uniform', 'distance']));
    const leaves = new Set(draws.map((t) => t.leaves));
    assert.ok(leaves.has(2) && leaves.has(64), 'both ends of a whole-number log range come up');
  });

  it('draws uniformly in log space on a log scale, linearly otherwise', () => {
    const share = (predicate: (v: number) => boolean, name: string) =>
      draws.filter((t) => predicate(t[name] as number)).length / draws.length;
    // log10(alpha) uniform on [-3, 3]: half below 1, a sixth in each decade.
    assert.ok(Math.abs(share((v) => v < 1, 'alpha') - 0.5) < 0.04, `below 1: ${share((v) => v < 1, 'alpha')}`);
    assert.ok(Math.abs(share((v) => v < 1e-2, 'alpha') - 1 / 6) < 0.03);
    // ratio uniform on [0.25, 0.5]: a fifth below 0.3.
    assert.ok(Math.abs(share((v) => v < 0.3, 'ratio') - 0.2) < 0.03, `below 0.3: ${share((v) => v < 0.3, 'ratio')}`);
    // leaves log-uniform on [2, 65): half below sqrt(2 * 65) ~ 11.4, far more than a linear draw's 15 %.
    assert.ok(
      Math.abs(share((v) => v <= 11, 'leaves') - 0.5) < 0.04,
      `leaves <= 11: ${share((v) => v <= 11, 'leaves')}`,
    );
  });

  it('refuses bad spaces and counts, naming them', () => {
    assert.throws(() => sampleTrials({ a: [] }, { kind: 'grid' }), /a has an empty list of values/);
    assert.throws(
      () => sampleTrials({ a: { min: 2, max: 1 } }, { kind: 'random', n: 1, seed: 0 }),
      /a needs finite min <= max, got min 2 and max 1/,
    );
    assert.throws(
      () => sampleTrials({ a: { min: 0, max: 1, log: true } }, { kind: 'random', n: 1, seed: 0 }),
      /a is on a log scale, so min must be > 0, got 0/,
    );
    assert.throws(
      () => sampleTrials({ a: { min: 0.5, max: 3, integer: true } }, { kind: 'random', n: 1, seed: 0 }),
      /a is whole numbers/,
    );
    assert.throws(
      () => sampleTrials({ a: [1] }, { kind: 'random', n: 0, seed: 0 }),
      /n must be a whole number of at least 1, got 0/,
    );
    assert.throws(
      () => sampleTrials({ a: [1] }, { kind: 'random', n: 1, seed: 0.5 }),
      /seed must be a whole number, got 0.5/,
    );
  });
});

describe('the learner registry', () => {
  // Small data for each task: a linear signal, and its sign as the class.
  const x = Array.from({ length: 60 }, (_, i) => [Math.sin(i), Math.cos(3 * i), (i % 7) / 7]);
  const yRegression = x.map(([a, b, c]) => 2 * a! - b! + 0.5 * c!);
  const yBinary = yRegression.map((v, i) => (v + (i % 5 === 0 ? 1 : 0) > 0.3 ? 1 : 0));

  it('names each learner by its own name, with spaces over its own hyperparameters', () => {
    for (const [name, entry] of Object.entries(LEARNERS)) {
      assert.equal(entry.learner.name, name);
      for (const space of [entry.grid, entry.random])
        for (const key of Object.keys(space)) assert.ok(Object.hasOwn(entry.learner.defaults, key), `${name}: ${key}`);
    }
  });

  it('fits and predicts every grid trial and some random ones for each task it does', () => {
    for (const [name, entry] of Object.entries(LEARNERS)) {
      const trials = [
        ...sampleTrials(entry.grid, { kind: 'grid' }),
        ...sampleTrials(entry.random, { kind: 'random', n: 5, seed: 1 }),
      ];
      for (const task of entry.tasks)
        for (const trial of trials) {
          const y = task === 'binary' ? yBinary : yRegression;
          const model = entry.learner.fit(x, y, trialHyperparameters(entry.learner, trial), { task, seed: 0 });
          const predictions = entry.learner.predict(model, x.slice(0, 4));
          assert.equal(model.learner, name);
          assert.ok(
            predictions.every(Number.isFinite),
            `${name} ${task} ${JSON.stringify(trial)}: ${predictions.join(', ')}`,
          );
          if (task === 'binary') assert.ok(predictions.every((p) => p >= 0 && p <= 1));
        }
    }
  });

  it('refuses an unknown learner or hyperparameter, naming the known ones', () => {
    assert.equal(learnerByName('lasso').learner.name, 'lasso');
    assert.throws(() => learnerByName('svm'), /unknown learner svm \(known: ridge, lasso, elasticNet, logistic, knn/);
    assert.throws(() => learnerByName('toString'), /unknown learner toString/);
    assert.throws(
      () => trialHyperparameters(LEARNERS.ridge.learner, { l1Ratio: 0.5 }),
      /ridge: unknown hyperparameter l1Ratio \(known: alpha\)/,
    );
    assert.deepEqual(trialHyperparameters(LEARNERS.lasso.learner, { alpha: 0.1 }), {
      alpha: 0.1,
      maxIterations: 1000,
      tol: 1e-4,
    });
  });
});
