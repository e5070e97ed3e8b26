import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crossValidate, crossValidator, fitTabular, trialSpec } from '../../ml/tabular/evaluate.ts';
import { nearestNeighbours, oversample } from '../../ml/tabular/oversampling.ts';
import { transform } from '../../ml/tabular/preprocess.ts';
import { planTrials } from '../../ml/tabular/searchPlan.ts';
import { randomSplit } from '../../ml/tabular/split.ts';
import { boostingLearner } from '../../ml/tabular/trees/boosting.ts';
import type { Trial } from '../../ml/tabular/searchSpace.ts';
import type { DatasetSpec } from '../../ml/tabular/spec.ts';
import { chooseThreshold, thresholdCurve } from '../../ml/tabular/threshold.ts';

// Three minority rows (1) at 0, 1 and 4 on the first axis; six majority rows (0), two of them (5 and
// 6) right next to the minority row at 4, four far away. toAdd = 6 - 3 = 3.
const x = [
  [0, 0],
  [1, 0],
  [4, 0],
  [6, 0],
  [10, 0],
  [11, 0],
  [12, 0],
  [13, 0],
  [5, 0],
];
const y = [1, 1, 1, 0, 0, 0, 0, 0, 0];
const minority = [0, 1, 2];

function onSegment(row: number[], base: number[], neighbour: number[], gap: number) {
  row.forEach((v, j) => assert.ok(Math.abs(v - (base[j]! + gap * (neighbour[j]! - base[j]!))) < 1e-12));
}

describe('oversample', () => {
  it('none leaves the rows as they are', () => {
    const out = oversample(x, y, 'none', { seed: 1 });
    assert.deepEqual(out, { x, y, added: [] });
  });

  it('random adds copies of minority rows until the classes are even', () => {
    const out = oversample(x, y, 'random', { seed: 1 });
    assert.equal(out.added.length, 3);
    assert.deepEqual(out.y, [...y, 1, 1, 1]);
    out.added.forEach(({ base }, a) => {
      assert.ok(minority.includes(base));
      assert.deepEqual(out.x[9 + a], x[base]);
    });
  });

  it('finds the k nearest minority rows (ties to the earlier row)', () => {
    // from row 0 (at 0): row 1 at distance 1, row 2 at 4
    assert.deepEqual(nearestNeighbours(x, 0, minority, 2), [1, 2]);
    assert.deepEqual(nearestNeighbours(x, 1, minority, 2), [0, 2]);
    assert.deepEqual(nearestNeighbours(x, 2, minority, 2), [1, 0]);
    // row 1 is as far from row 0 as from row 2: the earlier wins
    assert.deepEqual(nearestNeighbours([[0], [1], [2]], 1, [0, 1, 2], 1), [0]);
  });

  it('SMOTE (Chawla 2002): floor(3/3) = 1 synthetic row per minority row, between it and one of its k nearest minority rows', () => {
    const out = oversample(x, y, 'smote', { seed: 3, k: 2 });
    assert.equal(out.added.length, 3);
    assert.deepEqual(
      out.added.map((a) => a.base),
      [0, 1, 2],
    );
    const neighbours: Record<number, number[]> = { 0: [1, 2], 1: [0, 2], 2: [1, 0] };
    out.added.forEach(({ base, neighbour, gap }, a) => {
      assert.ok(neighbours[base]!.includes(neighbour!), `row ${base} used ${neighbour}`);
      assert.ok(gap! >= 0 && gap! < 1);
      onSegment(out.x[9 + a]!, x[base]!, x[neighbour!]!, gap!);
      assert.equal(out.y[9 + a], 1);
    });
    assert.deepEqual(oversample(x, y, 'smote', { seed: 3, k: 2 }), out, 'same seed, same rows');
  });

  it('SMOTE with fewer rows to add than minority rows: toAdd mod m rows make one each', () => {
    const out = oversample([[0], [1], [2], [9], [10], [11], [12]], [1, 1, 1, 0, 0, 0, 0], 'smote', { seed: 0, k: 2 });
    assert.equal(out.added.length, 1);
  });

  it('ADASYN (He 2008): synthetic rows go to the minority rows with majority neighbours, in proportion', () => {
    // K = 2 neighbours in the whole set: row 0 -> [1, 2], row 1 -> [0, 2] (no majority: r = 0);
    // row 2 (at 4) -> [8 at 5, 3 at 6] (both majority: r = 1). Normalized: [0, 0, 1]; g = round(r x 3).
    const out = oversample(x, y, 'adasyn', { seed: 5, k: 2 });
    assert.equal(out.added.length, 3);
    out.added.forEach(({ base, neighbour, gap }, a) => {
      assert.equal(base, 2);
      // its K nearest minority rows: 1 (at 1) and 0 (at 0)
      assert.ok([1, 0].includes(neighbour!));
      onSegment(out.x[9 + a]!, x[2]!, x[neighbour!]!, gap!);
    });
    assert.deepEqual(out.y.slice(9), [1, 1, 1]);
  });

  it('ADASYN rounds each row share: r = [1/2, 1/2, 1] of G = 5 gives [1, 1, 3] (round(1.25), round(1.25), round(2.5))', () => {
    // minority at 0, 3, 20; majority at 1, 21, 22, 23, 24, 25, 26, 27
    const xs = [[0], [3], [20], [1], [21], [22], [23], [24], [25], [26], [27]];
    const ys = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    // K = 2: row 0 -> [3 at 1, 1 at 3]: r 1/2; row 1 -> [3 at 1 (distance 2), 0 (3)]: r 1/2;
    // row 2 -> [4 at 21, 5 at 22]: r 1. Sum 2: shares 1/4, 1/4, 1/2 of G = 8 - 3 = 5.
    const out = oversample(xs, ys, 'adasyn', { seed: 1, k: 2 });
    const perBase = [0, 1, 2].map((b) => out.added.filter((a) => a.base === b).length);
    assert.deepEqual(perBase, [1, 1, 3]);
  });

  it('oversamples the smaller class whichever label it has', () => {
    const out0 = oversample(x.slice(0, 5), [0, 0, 1, 1, 1], 'random', { seed: 1 });
    assert.deepEqual(out0.y, [0, 0, 1, 1, 1, 0]);
  });

  it('says what is wrong with bad input', () => {
    assert.throws(() => oversample(x, y, 'smote', { seed: 1, k: 0 }), /k must be/);
    assert.throws(
      () => oversample([[0], [1], [2]], [1, 0, 0], 'smote', { seed: 1 }),
      /needs at least 2 rows of class 1/,
    );
    assert.throws(() => oversample([[0]], [2], 'random', { seed: 1 }), /target 0 is 2/);
    assert.throws(() => oversample(x, y, 'bogus' as 'none', { seed: 1 }), /sampling must be one of/);
  });
});

describe('chooseThreshold', () => {
  // scores high to low: 0.9 (1), 0.8 (1), 0.65 (0), 0.4 (0), 0.35 (1), 0.1 (0)
  const ys = [0, 0, 1, 1, 0, 1];
  const ps = [0.1, 0.4, 0.35, 0.8, 0.65, 0.9];

  it('maxF1 picks the score with the best F1 (0.8: tp 2, fp 0, fn 1 -> 0.8)', () => {
    assert.deepEqual(chooseThreshold(ys, ps, { rule: 'maxF1' }), {
      threshold: 0.8,
      precision: 1,
      recall: 2 / 3,
      f1: 0.8,
    });
  });

  it('recall picks the highest threshold that meets it', () => {
    assert.equal(chooseThreshold(ys, ps, { rule: 'recall', atLeast: 1 }).threshold, 0.35);
    assert.equal(chooseThreshold(ys, ps, { rule: 'recall', atLeast: 0.5 }).threshold, 0.8);
    assert.throws(() => chooseThreshold(ys, ps, { rule: 'recall', atLeast: 0 }), /atLeast must be in/);
  });

  it('the curve has one point per distinct score with its confusion counts', () => {
    const curve = thresholdCurve(ys, ps);
    assert.equal(curve.length, 6);
    assert.deepEqual(curve[2], {
      threshold: 0.65,
      tp: 2,
      fp: 1,
      tn: 2,
      fn: 1,
      precision: 2 / 3,
      recall: 2 / 3,
      fpr: 1 / 3,
      f1: 2 / 3,
    });
  });
});

describe('oversampling and thresholds in cross-validation', () => {
  const spec: DatasetSpec = {
    name: 'imbalanced',
    task: 'binary',
    columns: [{ name: 'a', type: 'number' }],
    target: { column: 'y' },
    features: [{ column: 'a', encode: 'number', scale: 'standardize' }],
    threshold: { rule: 'maxF1' },
  };
  // one positive in eight, positives higher on a
  const rows = Array.from({ length: 160 }, (_, i) => {
    const positive = i % 8 === 0;
    return { a: (positive ? 2 : 0) + ((i * 37) % 100) / 40, y: positive ? 1 : 0 };
  });

  it('a trial names its sampling; the summary carries the threshold chosen on out-of-fold predictions', () => {
    const none = crossValidate(spec, rows, 'logistic', { C: 1 }, { folds: 4, seed: 0 });
    const smote = crossValidate(spec, rows, 'logistic', { sampling: 'smote', C: 1 }, { folds: 4, seed: 0 });
    for (const cv of [none, smote]) {
      assert.ok(cv.threshold!.mean > 0 && cv.threshold!.mean < 1);
      assert.ok(cv.f1AtThreshold!.mean > 0);
    }
    // a balanced training part moves the probabilities up: the chosen threshold follows them
    assert.ok(smote.threshold!.mean > none.threshold!.mean, `${smote.threshold!.mean} vs ${none.threshold!.mean}`);
    assert.ok(smote.logLoss!.mean > none.logLoss!.mean);
  });

  it("a search's trials share each fold's oversampled sets: every trial scores as it does cross-validated alone", () => {
    const trials: [string, Trial][] = [
      ['knn', { sampling: 'smote', k: 3 }],
      ['logistic', { sampling: 'smote', C: 1 }],
      ['knn', { sampling: 'smote', k: 7, weights: 'distance' }],
      ['forest', { sampling: 'adasyn', trees: 5 }],
      ['knn', { sampling: 'adasyn', k: 5 }],
      ['boosting', { sampling: 'random', trees: 5 }],
      ['knn', { sampling: 'random', k: 5 }],
      ['knn', { sampling: 'none', k: 5 }],
    ];
    const validate = crossValidator(spec, rows, { folds: 4, seed: 3 });
    for (const [learner, trial] of trials)
      assert.deepEqual(
        validate(learner, trial),
        crossValidate(spec, rows, learner, trial, { folds: 4, seed: 3 }),
        `${learner} ${JSON.stringify(trial)}`,
      );
  });

  it('boosting stops early on original rows held out before oversampling, never on copies of rows it fits', () => {
    const hyper = { trees: 300, learningRate: 0.3, minLeaf: 2 };
    const fitted = fitTabular(spec, rows, 'boosting', { sampling: 'random', ...hyper }, 4);
    // as fitting by hand: 10% of the original rows held out (seeded), the rest oversampled
    const x = transform(fitted.preprocessing, rows).x;
    const y = rows.map((r) => r.y);
    const { train, test } = randomSplit(x.length, { testShare: 0.1, seed: 4 });
    const grown = oversample(
      train.map((i) => x[i]!),
      train.map((i) => y[i]!),
      'random',
      { seed: 4 },
    );
    const byHand = boostingLearner.fit(
      grown.x,
      grown.y,
      { ...boostingLearner.defaults, ...hyper },
      {
        task: 'binary',
        seed: 4,
        validation: { x: test.map((i) => x[i]!), y: test.map((i) => y[i]!) },
      },
    );
    assert.deepEqual(fitted.model, byHand);
  });

  it('the final fit oversamples its training rows; trialSpec rejects an unknown sampling or one for regression', () => {
    const fitted = fitTabular(spec, rows, 'knn', { sampling: 'random', k: 1 }, 0);
    // k = 1 on a training set of 140 + 140 rows: the model keeps them
    assert.equal((fitted.model.params as { y: number[] }).y.length, 280);
    assert.throws(() => trialSpec(spec, { sampling: 'over' }), /sampling must be one of none, random, smote, adasyn/);
    assert.throws(
      () => trialSpec({ ...spec, task: 'regression', threshold: undefined }, { sampling: 'smote' }),
      /binary/,
    );
  });
});

describe('planTrials with samplings', () => {
  it('crosses every learner grid point with each of the spec sampling methods', () => {
    const spec: DatasetSpec = {
      name: 'sampled',
      task: 'binary',
      columns: [{ name: 'a', type: 'number' }],
      target: { column: 'y' },
      features: [{ column: 'a', encode: 'number' }],
      samplings: ['none', 'random', 'smote', 'adasyn'],
    };
    const plan = planTrials(spec, { kind: 'grid', trials: 1000, seed: 0, learners: ['logistic'] });
    // 5 values of C x 4 samplings
    assert.equal(plan.length, 20);
    assert.deepEqual(
      plan.slice(0, 6).map((p) => p.params),
      [
        { sampling: 'none', C: 0.01 },
        { sampling: 'none', C: 0.1 },
        { sampling: 'none', C: 1 },
        { sampling: 'none', C: 10 },
        { sampling: 'none', C: 100 },
        { sampling: 'random', C: 0.01 },
      ],
    );
  });
});
