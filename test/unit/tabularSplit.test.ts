import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  forwardChainingFolds,
  kFold,
  randomSplit,
  stratifiedSplit,
  timeSplit,
  type Split,
} from '../../ml/tabular/split.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Train and test are disjoint, ascending, and cover every row once. */
function partitions(split: Split, n: number) {
  assert.deepEqual(
    [...split.train, ...split.test].sort((a, b) => a - b),
    range(n),
  );
  assert.deepEqual(
    split.train,
    [...split.train].sort((a, b) => a - b),
  );
  assert.deepEqual(
    split.test,
    [...split.test].sort((a, b) => a - b),
  );
}

describe('randomSplit', () => {
  it('is deterministic by seed, takes ceil(n * share) test rows, and differs across seeds', () => {
    const a = randomSplit(101, { testShare: 0.2, seed: 7 });
    partitions(a, 101);
    assert.equal(a.test.length, 21);
    assert.deepEqual(randomSplit(101, { testShare: 0.2, seed: 7 }), a);
    assert.notDeepEqual(randomSplit(101, { testShare: 0.2, seed: 8 }).test, a.test);
    // 50 seeds give 50 different test parts
    const tests = new Set(range(50).map((seed) => randomSplit(4650, { testShare: 0.2, seed }).test.join(',')));
    assert.equal(tests.size, 50);
  });

  it('rejects shares and seeds it cannot use', () => {
    assert.throws(() => randomSplit(10, { testShare: 0, seed: 1 }), /testShare must be in \(0, 1\), got 0/);
    assert.throws(() => randomSplit(1, { testShare: 0.5, seed: 1 }), /1 rows cannot give a test share of 0.5/);
    assert.throws(() => randomSplit(10, { testShare: 0.5, seed: 1.5 }), /seed must be a whole number, got 1.5/);
  });
});

describe('stratifiedSplit', () => {
  it('keeps each class in proportion in the test part', () => {
    // 90 zeros and 10 ones; 25 test rows: 22.5 zeros and 2.5 ones -> largest remainder, ties to the first class
    const labels = range(100).map((i) => (i % 10 === 3 ? 1 : 0));
    const s = stratifiedSplit(labels, { testShare: 0.25, seed: 3 });
    partitions(s, 100);
    assert.equal(s.test.length, 25);
    assert.equal(s.test.filter((i) => labels[i] === 1).length, 2);
    assert.deepEqual(stratifiedSplit(labels, { testShare: 0.25, seed: 3 }), s);
    const strings = stratifiedSplit(
      labels.map((l) => (l ? 'yes' : 'no')),
      { testShare: 0.2, seed: 3 },
    );
    assert.equal(strings.test.filter((i) => labels[i] === 1).length, 2);
    assert.equal(strings.test.length, 20);
  });
});

describe('timeSplit', () => {
  it('puts the latest rows in the test part, a tied boundary entirely in test', () => {
    const times = ['2024-03-01', '2024-01-01', '2024-02-01', '2024-04-01', '2024-05-01'];
    assert.deepEqual(timeSplit(times, { testShare: 0.4 }), { train: [0, 1, 2], test: [3, 4] });
    // the 3rd latest shares its time with the 2nd: both go to test
    assert.deepEqual(timeSplit([1, 2, 3, 3, 4], { testShare: 0.4 }), { train: [0, 1], test: [2, 3, 4] });
    assert.throws(() => timeSplit([5, 5, 5], { testShare: 0.5 }), /every row has the time 5/);
    assert.throws(() => timeSplit([1, '2'], { testShare: 0.5 }), /time 1 is 2, not a number like the first/);
  });
});

describe('kFold', () => {
  it('makes k folds of near-equal size covering each row once as test, deterministic by seed', () => {
    const folds = kFold(23, { k: 5, seed: 1 });
    assert.deepEqual(
      folds.map((f) => f.test.length),
      [5, 5, 5, 4, 4],
    );
    folds.forEach((f) => partitions(f, 23));
    assert.deepEqual(
      folds.flatMap((f) => f.test).sort((a, b) => a - b),
      range(23),
    );
    assert.deepEqual(kFold(23, { k: 5, seed: 1 }), folds);
    assert.notDeepEqual(kFold(23, { k: 5, seed: 2 }), folds);
  });

  it('stratified: every fold holds each class in proportion', () => {
    const labels = range(60).map((i) => (i < 12 ? 1 : 0));
    const folds = kFold(60, { k: 4, seed: 9, stratify: labels });
    for (const f of folds) {
      assert.equal(f.test.length, 15);
      assert.equal(f.test.filter((i) => labels[i] === 1).length, 3);
    }
    assert.deepEqual(
      folds.flatMap((f) => f.test).sort((a, b) => a - b),
      range(60),
    );
  });

  it('rejects what it cannot fold', () => {
    assert.throws(() => kFold(3, { k: 5, seed: 1 }), /3 rows cannot make 5 folds/);
    assert.throws(() => kFold(10, { k: 1, seed: 1 }), /k must be a whole number of at least 2, got 1/);
    assert.throws(() => kFold(10, { k: 2, seed: 1, stratify: [1] }), /1 labels for 10 rows/);
  });
});

describe('forwardChainingFolds', () => {
  // 13 rows out of time order; two share 02:00
  const times = ['05', '01', '09', '03', '12', '02', '07', '02', '11', '04', '08', '06', '10'].map(
    (h) => `2004-03-01 ${h}:00:00`,
  );
  const hour = (i: number) => Number(times[i]!.slice(11, 13));

  it('cuts the rows in time order into k + 1 blocks: fold f trains on blocks 0..f and tests on block f + 1', () => {
    const folds = forwardChainingFolds(times, { k: 3 });
    assert.equal(folds.length, 3);
    for (const f of folds) {
      assert.deepEqual(
        f.train,
        [...f.train].sort((a, b) => a - b),
      );
      // every test row is later than every training row
      assert.ok(Math.max(...f.train.map(hour)) < Math.min(...f.test.map(hour)));
    }
    // blocks at 13 * b / 4 rows in time order (3, 6, 9), the two 02:00 rows kept in the first block
    assert.deepEqual(
      folds.map((f) => [f.train.map(hour).sort((a, b) => a - b), f.test.map(hour).sort((a, b) => a - b)]),
      [
        [
          [1, 2, 2],
          [3, 4, 5],
        ],
        [
          [1, 2, 2, 3, 4, 5],
          [6, 7, 8],
        ],
        [
          [1, 2, 2, 3, 4, 5, 6, 7, 8],
          [9, 10, 11, 12],
        ],
      ],
    );
  });

  it('never splits rows of the same time between training and test', () => {
    const same = ['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c'];
    for (const f of forwardChainingFolds(same, { k: 2 })) {
      const trained = new Set(f.train.map((i) => same[i]));
      assert.ok(
        f.test.every((i) => !trained.has(same[i])),
        JSON.stringify(f),
      );
    }
  });

  it('rejects a k it cannot use and rows too few for it', () => {
    assert.throws(() => forwardChainingFolds(times, { k: 1 }), /k must be a whole number of at least 2, got 1/);
    assert.throws(() => forwardChainingFolds(['a', 'a', 'a', 'a'], { k: 2 }), /4 rows \(1 times\) cannot make 2 folds/);
  });
});
