import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FitOptions, Learner } from '../../ml/tabular/learner.ts';
import { binFeatures } from '../../ml/tabular/trees/bins.ts';
import { boostingLearner } from '../../ml/tabular/trees/boosting.ts';
import { cartLearner } from '../../ml/tabular/trees/cart.ts';
import { treeValue, type FlatTree } from '../../ml/tabular/trees/flatTree.ts';
import { forestLearner } from '../../ml/tabular/trees/forest.ts';
import { growTree } from '../../ml/tabular/trees/grow.ts';
import { seededRandom } from '../../ml/tabular/trees/random.ts';
import { treeLearner } from '../../ml/tabular/trees/tree.ts';

// A known function of two informative features and two noise features, from a seeded generator.
function friedmanLike(seed: number, rows: number) {
  const random = seededRandom(seed);
  const uniform = () => random.below(1_000_000_007) / 1_000_000_007;
  const x = Array.from({ length: rows }, () => [uniform(), uniform(), uniform(), uniform()]);
  const truth = x.map((r) => 10 * Math.sin(Math.PI * r[0]!) + 8 * (r[1]! - 0.5) ** 2 + 4 * r[0]! * r[1]!);
  const y = truth.map((t) => t + (uniform() - 0.5));
  return { x, y, truth };
}
const rmse = (p: number[], y: number[]) => Math.sqrt(p.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0) / p.length);
const logLoss = (p: number[], y: number[]) =>
  -p.reduce((s, v, i) => s + (y[i] === 1 ? Math.log(v) : Math.log(1 - v)), 0) / p.length;

const train = friedmanLike(1, 600);
const test = friedmanLike(2, 400);
const regression: FitOptions = { task: 'regression', seed: 3 };
const stump = treeLearner.fit(train.x, train.y, { ...treeLearner.defaults, maxDepth: 1 }, regression);
const stumpError = rmse(treeLearner.predict(stump, test.x), test.truth);

const binaryOf = (data: { x: number[][]; truth: number[] }, seed: number) => {
  const random = seededRandom(seed);
  return data.truth.map((t): number => (random.below(1000) / 1000 < 1 / (1 + Math.exp(-(t - 8))) ? 1 : 0));
};
const trainClass = binaryOf(train, 4);
const testClass = binaryOf(test, 5);

const ensembles: [string, Learner, Record<string, unknown>][] = [
  ['forest', forestLearner, { trees: 50, minLeaf: 3 }],
  ['boosting', boostingLearner, { trees: 200, learningRate: 0.1, maxDepth: 3 }],
];

for (const [name, learner, hyper] of ensembles) {
  describe(name, () => {
    it('learns a known function better than a stump', () => {
      const model = learner.fit(train.x, train.y, hyper, regression);
      const error = rmse(learner.predict(model, test.x), test.truth);
      assert.ok(error < stumpError / 2, `${name} ${error} against a stump's ${stumpError}`);
    });

    it('gives the same model for the same seed, another for another seed', () => {
      const h = { ...hyper, ...(name === 'boosting' ? { rowFraction: 0.7, featureFraction: 0.75 } : {}) };
      const a = learner.fit(train.x, train.y, h, regression);
      const b = learner.fit(train.x, train.y, h, regression);
      const c = learner.fit(train.x, train.y, h, { ...regression, seed: 4 });
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
    });

    it('predicts the same after a JSON round trip', () => {
      const model = learner.fit(train.x, train.y, hyper, regression);
      const copy = JSON.parse(JSON.stringify(model)) as typeof model;
      assert.deepEqual(learner.predict(copy, test.x), learner.predict(model, test.x));
    });

    it('classifies with probabilities in [0, 1] that beat the base rate on log loss', () => {
      const model = learner.fit(train.x, trainClass, hyper, { task: 'binary', seed: 3 });
      const p = learner.predict(model, test.x);
      assert.ok(p.every((v) => v >= 0 && v <= 1));
      const rate = trainClass.reduce((a, b) => a + b, 0) / trainClass.length;
      const clipped = p.map((v) => Math.min(1 - 1e-6, Math.max(1e-6, v)));
      assert.ok(
        logLoss(clipped, testClass) <
          logLoss(
            p.map(() => rate),
            testClass,
          ) -
            0.1,
      );
    });

    it('ranks the informative features first, importances summing to 1', () => {
      const model = learner.fit(train.x, train.y, hyper, regression);
      const importances = learner.importances!(model);
      assert.equal(importances.length, 4);
      assert.ok(Math.abs(importances.reduce((a, b) => a + b, 0) - 1) < 1e-9);
      assert.ok(Math.min(importances[0]!, importances[1]!) > Math.max(importances[2]!, importances[3]!));
    });
  });
}

describe('forest sampling', () => {
  const used = (model: ReturnType<typeof forestLearner.fit>) =>
    model.params.trees.map((t) => new Set(t.feature.filter((f) => f >= 0)));
  it('draws the features once per tree with featureSampling "tree", per split by default', () => {
    const hyper = { ...forestLearner.defaults, trees: 20, featureFraction: 0.5 };
    const perTree = used(forestLearner.fit(train.x, train.y, { ...hyper, featureSampling: 'tree' }, regression));
    assert.ok(perTree.every((features) => features.size <= 2));
    const perSplit = used(forestLearner.fit(train.x, train.y, hyper, regression));
    assert.ok(perSplit.some((features) => features.size > 2));
  });

  it('without bootstrap and with every feature, every tree is the same single tree', () => {
    const hyper = { ...forestLearner.defaults, trees: 3, featureFraction: 1, bootstrap: false, minLeaf: 5 };
    const forest = forestLearner.fit(train.x, train.y, hyper, regression);
    const tree = treeLearner.fit(train.x, train.y, { ...treeLearner.defaults, maxDepth: null, minLeaf: 5 }, regression);
    const a = forestLearner.predict(forest, test.x);
    treeLearner.predict(tree, test.x).forEach((p, i) => assert.ok(Math.abs(p - a[i]!) < 1e-9));
  });

  it('grows a bootstrap tree from the drawn rows weighted by the times drawn, as from the rows repeated', () => {
    const data = binFeatures(train.x);
    const random = seededRandom(11);
    const n = train.x.length;
    const drawn = Int32Array.from({ length: n }, () => random.below(n));
    const times = new Float64Array(n);
    for (const r of drawn) times[r]! += 1;
    const distinct = Int32Array.from({ length: n }, (_, i) => i).filter((i) => times[i]! > 0);
    assert.ok(distinct.length < n * 0.7, 'a bootstrap sample repeats rows');
    const all = Int32Array.from({ length: 4 }, (_, f) => f);
    const params = {
      maxDepth: 8,
      maxLeaves: Infinity,
      minLeaf: 1,
      minSplit: 2,
      l2: 0,
      minGain: 0,
      featuresPerSplit: 4,
      scale: 1,
    };
    const y = Float64Array.from(train.y);
    const repeated = growTree({ data, g: y, h: null, rows: drawn, features: all, random: seededRandom(1) }, params);
    const weighted = growTree(
      { data, g: y.map((v, i) => v * times[i]!), h: times, rows: distinct, features: all, random: seededRandom(1) },
      params,
    );
    // Small nodes have exact ties (two features splitting off the same rows) that the order of
    // float additions breaks either way: the same loss on the sample, not the same splits.
    const sampleLoss = (tree: FlatTree) =>
      [...drawn].reduce((s, r) => s + (treeValue(tree, train.x[r]!) - y[r]!) ** 2, 0);
    assert.ok(repeated.feature.length > 100, 'a deep tree');
    assert.equal(weighted.feature.length, repeated.feature.length);
    assert.ok(Math.abs(sampleLoss(weighted) / sampleLoss(repeated) - 1) < 1e-9);
  });
});

describe('boosting early stopping', () => {
  it('stops once the validation loss stops improving and keeps the trees up to the best round', () => {
    const validation = { x: test.x, y: test.y };
    const hyper = { ...boostingLearner.defaults, trees: 2000, learningRate: 0.3, earlyStoppingRounds: 10 };
    const model = boostingLearner.fit(train.x, train.y, hyper, { ...regression, validation });
    const { rounds, trees, validationLoss } = model.params;
    assert.ok(rounds < 2000, `ran ${rounds} rounds`);
    assert.equal(trees.length, rounds - 10);
    const mse = rmse(boostingLearner.predict(model, test.x), test.y) ** 2;
    assert.ok(Math.abs(mse - validationLoss!) < 1e-9);
    const longer = boostingLearner.fit(
      train.x,
      train.y,
      { ...hyper, earlyStoppingRounds: 0, trees: rounds },
      { ...regression, validation },
    );
    assert.equal(longer.params.trees.length, rounds);
    assert.ok(longer.params.validationLoss! > validationLoss!);
  });
});

describe('boosting early stopping without a validation set', () => {
  it('holds out validationFraction of the training rows (seeded) to stop on, and none with 0', () => {
    const hyper = { ...boostingLearner.defaults, trees: 2000, learningRate: 0.3, earlyStoppingRounds: 10 };
    const model = boostingLearner.fit(train.x, train.y, hyper, regression);
    assert.ok(model.params.rounds < 2000, `ran ${model.params.rounds} rounds`);
    assert.equal(model.params.trees.length, model.params.rounds - 10);
    assert.ok(model.params.validationLoss! > 0);
    assert.deepEqual(boostingLearner.fit(train.x, train.y, hyper, regression), model);
    const all = boostingLearner.fit(train.x, train.y, { ...hyper, trees: 30, validationFraction: 0 }, regression);
    assert.equal(all.params.trees.length, 30);
    assert.equal(all.params.validationLoss, null);
  });
});

describe('boosting early stopping on log loss', () => {
  it('stops for binary classification and reports the kept log loss', () => {
    const validation = { x: test.x, y: testClass };
    const hyper = { ...boostingLearner.defaults, trees: 2000, learningRate: 0.5, maxDepth: 4, earlyStoppingRounds: 5 };
    const model = boostingLearner.fit(train.x, trainClass, hyper, { task: 'binary', seed: 3, validation });
    assert.ok(model.params.rounds < 2000);
    const p = boostingLearner.predict(model, test.x);
    assert.ok(Math.abs(logLoss(p, testClass) - model.params.validationLoss!) < 1e-9);
  });
});

describe('bad input', () => {
  const options: FitOptions = { task: 'regression', seed: 1 };
  const learners: Learner[] = [treeLearner, forestLearner, boostingLearner, cartLearner];
  for (const learner of learners) {
    it(`${learner.name}: names the field and the value`, () => {
      assert.throws(
        () => learner.fit([[1], [Number.NaN]], [1, 2], {}, options),
        /x\[1\]\[0\] must be a finite number, got NaN/,
      );
      assert.throws(() => learner.fit([[1], [2]], [1], {}, options), /y has 1 values for 2 rows/);
      assert.throws(() => learner.fit([[1], [2]], [1, 2], {}, { ...options, task: 'binary' }), /y\[1\] must be 0 or 1/);
      assert.throws(() => learner.fit([[1], [2]], [1, 2], { depth: 3 }, options), /unknown hyperparameter "depth"/);
      const model = learner.fit([[1], [2], [3], [4]], [1, 2, 3, 4], {}, options);
      assert.throws(() => learner.predict(model, [[1, 2]]), /x\[0\] must be an array of 1 numbers, got 2/);
    });
  }
  it('names a hyperparameter out of range', () => {
    assert.throws(
      () => boostingLearner.fit([[1], [2]], [1, 2], { ...boostingLearner.defaults, learningRate: 0 }, options),
      /boosting: learningRate must be a number in \(0, 1\], got 0/,
    );
    assert.throws(
      () => forestLearner.fit([[1], [2]], [1, 2], { ...forestLearner.defaults, trees: 0 }, options),
      /forest: trees must be an integer >= 1, got 0/,
    );
  });
});
