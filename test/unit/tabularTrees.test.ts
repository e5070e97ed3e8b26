import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FitOptions, Learner, TabularModel } from '../../ml/tabular/learner.ts';
import { binFeatures } from '../../ml/tabular/trees/bins.ts';
import { cartLearner } from '../../ml/tabular/trees/cart.ts';
import { pathContributions, sumTrees, treeValue, type FlatTree } from '../../ml/tabular/trees/flatTree.ts';
import { boostingLearner } from '../../ml/tabular/trees/boosting.ts';
import { growTree } from '../../ml/tabular/trees/grow.ts';
import { sampleWithoutReplacement, seededRandom, type Random } from '../../ml/tabular/trees/random.ts';
import { treeLearner } from '../../ml/tabular/trees/tree.ts';

// Small data from a seeded generator: features on integer grids (fewer distinct values than
// bins, so a histogram split is an exact split), continuous targets unless a test wants ties.
function dataset(seed: number, rows: number, grids: number[], target: (row: number[], noise: number) => number) {
  const random = seededRandom(seed);
  const uniform = () => random.below(1_000_000_007) / 1_000_000_007;
  const x = Array.from({ length: rows }, () => grids.map((levels) => random.below(levels)));
  const y = x.map((row) => target(row, uniform() - 0.5));
  return { x, y };
}

function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const sse = (p: number[], y: number[]) => p.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0);
const leaves = (model: TabularModel<{ trees: { feature: number[] }[] }>) =>
  model.params.trees[0]!.feature.filter((f) => f < 0).length;

const fitBoth = <H>(learner: Learner<H, unknown>, hyper: H, x: number[][], y: number[], options: FitOptions) => {
  const model = learner.fit(x, y, hyper, options);
  return learner.predict(model, x);
};

describe('tree against ml-cart', () => {
  const regression: FitOptions = { task: 'regression', seed: 1 };
  const smooth = (r: number[], noise: number) => Math.sin(r[0]! / 3) * 4 + r[1]! * r[2]! * 0.1 + noise;

  for (const depth of [1, 3, 6, null]) {
    it(`regression, depth ${depth ?? 'unlimited'}: the same prediction for every training row`, () => {
      const { x, y } = dataset(7, 200, [20, 7, 13, 2], smooth);
      const cart = fitBoth(cartLearner, { maxDepth: depth, minNumSamples: 3, gainThreshold: null }, x, y, regression);
      const tree = fitBoth(treeLearner, { ...treeLearner.defaults, maxDepth: depth, minSplit: 4 }, x, y, regression);
      assert.equal(new Set(cart).size, new Set(tree).size);
      tree.forEach((p, i) => assert.ok(Math.abs(p - cart[i]!) < 1e-9, `row ${i}: tree ${p}, cart ${cart[i]}`));
    });
  }

  it('regression with more distinct values than bins: the same predictions once maxBins covers them, not before', () => {
    const { x, y } = dataset(3, 150, [400, 5], (r, noise) => r[0]! / 40 + r[1]! + noise);
    const hyper = { ...treeLearner.defaults, maxDepth: 4, minSplit: 4 };
    const cart = fitBoth(cartLearner, { maxDepth: 4, minNumSamples: 3, gainThreshold: null }, x, y, regression);
    const exact = fitBoth(treeLearner, hyper, x, y, regression);
    exact.forEach((p, i) => assert.ok(Math.abs(p - cart[i]!) < 1e-9, `row ${i}`));
    const coarse = fitBoth(treeLearner, { ...hyper, maxBins: 8 }, x, y, regression);
    assert.ok(sse(coarse, y) > sse(cart, y));
  });

  it('ties (a feature of 3 values, targets of 2): a stump has the same training loss', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { x, y } = dataset(seed, 60, [3, 3, 2], (r, noise) => (r[0]! + r[1]! + noise > 2 ? 1 : 0));
      for (const task of ['regression', 'binary'] as const) {
        const options = { task, seed: 1 };
        const cart = fitBoth(cartLearner, { maxDepth: 1, minNumSamples: 1, gainThreshold: 0 }, x, y, options);
        const tree = fitBoth(treeLearner, { ...treeLearner.defaults, maxDepth: 1 }, x, y, options);
        assert.ok(
          Math.abs(sse(tree, y) - sse(cart, y)) < 1e-9,
          `seed ${seed} ${task}: ${sse(tree, y)} vs ${sse(cart, y)}`,
        );
      }
    }
  });

  // ml-cart only tries a threshold where the targets of neighbours in sorted order differ, which
  // misses some between repeated values of mixed classes: here every feature's values are distinct.
  it('binary classification on distinct values: the same class-1 shares for every training row', () => {
    const random = seededRandom(11);
    const rows = 120;
    const columns = [0, 1, 2].map(() => sampleWithoutReplacement(random, 250, rows));
    const shuffled = columns.map((c) => shuffle(random, [...c]));
    const x = Array.from({ length: rows }, (_, i) => shuffled.map((c) => c[i]!));
    const y = x.map((r) => (r[0]! + r[1]! / 2 + random.below(120) > 220 ? 1 : 0));
    assert.ok(y.filter((v) => v === 1).length > 30 && y.filter((v) => v === 0).length > 30);
    const options: FitOptions = { task: 'binary', seed: 1 };
    for (const depth of [1, 2, 4]) {
      const cart = fitBoth(cartLearner, { maxDepth: depth, minNumSamples: 3, gainThreshold: 0 }, x, y, options);
      const tree = fitBoth(treeLearner, { ...treeLearner.defaults, maxDepth: depth, minSplit: 4 }, x, y, options);
      assert.equal(new Set(tree).size > depth, true);
      tree.forEach((p, i) =>
        assert.ok(Math.abs(p - cart[i]!) < 1e-9, `depth ${depth} row ${i}: tree ${p}, cart ${cart[i]}`),
      );
      assert.ok(tree.every((p) => p >= 0 && p <= 1));
    }
  });

  it('one-hot columns (read as bundles): the same prediction for every training row', () => {
    // A category of 5 levels one-hot encoded beside two numbers: the five 0/1 columns are never 1
    // on the same row, so the learner reads them as one bundle.
    const { x: raw, y } = dataset(13, 240, [5, 17, 9], (r, noise) => [3, -1, 0, 2, 5][r[0]!]! + r[1]! / 4 + noise);
    const x = raw.map(([level, a, b]) => [a!, ...[0, 1, 2, 3, 4].map((l) => (l === level ? 1 : 0)), b!]);
    const bundles = binFeatures(x).bundles.map((b) => [...b.features]);
    assert.deepEqual(bundles, [[1, 2, 3, 4, 5]]);
    for (const depth of [2, 5, null]) {
      const cart = fitBoth(cartLearner, { maxDepth: depth, minNumSamples: 3, gainThreshold: null }, x, y, regression);
      const tree = fitBoth(treeLearner, { ...treeLearner.defaults, maxDepth: depth, minSplit: 4 }, x, y, regression);
      tree.forEach((p, i) =>
        assert.ok(Math.abs(p - cart[i]!) < 1e-9, `depth ${depth} row ${i}: tree ${p}, cart ${cart[i]}`),
      );
    }
  });

  it("reports each row's leaf: the leaf a walk of the tree reaches", () => {
    const { x, y } = dataset(17, 300, [30, 6, 2], (r, noise) => r[0]! * (r[1]! - 2) + noise);
    const data = binFeatures(x);
    const rows = Int32Array.from({ length: 200 }, (_, i) => i);
    const leafOf = new Int32Array(300).fill(-1);
    const tree = growTree(
      {
        data,
        g: Float64Array.from(y),
        h: null,
        rows,
        features: Int32Array.of(0, 1, 2),
        random: seededRandom(1),
        leafOf,
      },
      { maxDepth: 5, maxLeaves: 12, minLeaf: 3, minSplit: 6, l2: 0, minGain: 0, featuresPerSplit: 3, scale: 1 },
    );
    assert.equal(tree.feature.filter((f) => f < 0).length, 12, 'stopped by maxLeaves with leaves still open');
    for (let r = 0; r < 300; r++) {
      if (r >= 200) {
        assert.equal(leafOf[r], -1, 'rows outside the sample are not touched');
        continue;
      }
      assert.equal(tree.feature[leafOf[r]!], -1, `row ${r} ends in a leaf`);
      assert.equal(tree.value[leafOf[r]!], treeValue(tree, x[r]!), `row ${r}`);
    }
  });

  it('maxLeaves keeps the best splits and minLeaf the smallest leaf', () => {
    const { x, y } = dataset(5, 300, [50, 50], (r, noise) => r[0]! * r[1]! + noise);
    const options: FitOptions = { task: 'regression', seed: 1 };
    const limited = treeLearner.fit(x, y, { ...treeLearner.defaults, maxDepth: null, maxLeaves: 10 }, options);
    assert.equal(leaves(limited), 10);
    const deeper = treeLearner.fit(x, y, { ...treeLearner.defaults, maxDepth: null, maxLeaves: 11 }, options);
    assert.ok(sse(treeLearner.predict(deeper, x), y) < sse(treeLearner.predict(limited, x), y));
    const coarse = treeLearner.fit(x, y, { ...treeLearner.defaults, maxDepth: null, minLeaf: 25 }, options);
    const counts = new Map<number, number>();
    for (const p of treeLearner.predict(coarse, x)) counts.set(p, (counts.get(p) ?? 0) + 1);
    assert.ok(Math.min(...counts.values()) >= 25);
  });
});

describe('tree and cart models as JSON', () => {
  const { x, y } = dataset(9, 100, [30, 30], (r, noise) => (r[0]! > 15 !== r[1]! > 10 ? 1 : 0) + noise / 10);
  const labels = y.map((v) => (v > 0.5 ? 1 : 0));
  for (const learner of [treeLearner, cartLearner] as Learner[]) {
    for (const [task, target] of [
      ['regression', y],
      ['binary', labels],
    ] as const) {
      it(`${learner.name} (${task}) predicts the same after a round trip`, () => {
        const model = learner.fit(x, target, {}, { task, seed: 1 });
        const copy = JSON.parse(JSON.stringify(model)) as typeof model;
        assert.deepEqual(learner.predict(copy, x), learner.predict(model, x));
        assert.ok(
          sse(learner.predict(copy, x), target) <
            sse(
              target.map(() => 0.5),
              target,
            ) /
              2,
        );
      });
    }
  }
});

describe('path attribution (Saabas) of boosted trees', () => {
  // Root: x0 < 5 ? leaf 0 : (x1 < 2 ? leaf 2 : leaf 5), node values 1 and 3 on the way; then a lone leaf of 0.5.
  const trees: FlatTree[] = [
    {
      feature: [0, -1, 1, -1, -1],
      threshold: [5, 0, 2, 0, 0],
      left: [1, -1, 3, -1, -1],
      right: [2, -1, 4, -1, -1],
      value: [1, 0, 3, 2, 5],
      gain: [1, 0, 1, 0, 0],
    },
    { feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0.5], gain: [0] },
  ];

  it("credits each split's move to its feature, by hand", () => {
    // [7, 3]: root 1 -> node 3 (x0 moved it +2) -> leaf 5 (x1 moved it +2); the roots' values are the bias.
    assert.deepEqual(pathContributions(trees, [7, 3], 3), { bias: 1.5, contributions: [2, 2, 0] });
    // [1, 9]: root 1 -> leaf 0, x0 moved it -1; x1 is never asked.
    assert.deepEqual(pathContributions(trees, [1, 9], 3), { bias: 1.5, contributions: [-1, 0, 0] });
  });

  it("adds up to the trees' prediction on a fitted model, row by row", () => {
    const x = Array.from({ length: 200 }, (_, i) => [i % 7, (i * 13) % 11, i % 3]);
    const y = x.map(([a, b, c]) => a! * 2 + (b! > 5 ? 3 : 0) + c! * 0.1);
    const seen: number[] = [];
    const model = boostingLearner.fit(
      x,
      y,
      { ...boostingLearner.defaults, trees: 20, earlyStoppingRounds: 0, validationFraction: 0 },
      { task: 'regression', seed: 1, onRound: (done, of) => seen.push(done, of) },
    );
    assert.deepEqual(seen.slice(0, 4), [1, 20, 2, 20], 'onRound hears each round of all');
    assert.equal(seen.length, 40);
    for (const row of x.slice(0, 20)) {
      const { bias, contributions } = pathContributions(model.params.trees, row, 3);
      const sum = bias + contributions.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - sumTrees(model.params.trees, row)) < 1e-9);
    }
    // The feature the target does not depend on gets (almost) nothing.
    const third = x.map((row) => Math.abs(pathContributions(model.params.trees, row, 3).contributions[2]!));
    const first = x.map((row) => Math.abs(pathContributions(model.params.trees, row, 3).contributions[0]!));
    assert.ok(Math.max(...third) < 0.1 * Math.max(...first));
  });
});
