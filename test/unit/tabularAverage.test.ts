// The averaged ensemble (ml/tabular/average.ts) and the air-quality spec's forward-chaining folds
// (ml/tabular/evaluate.ts prepareFolds).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averageLearner } from '../../ml/tabular/average.ts';
import { prepareFolds } from '../../ml/tabular/evaluate.ts';
import { withHistory } from '../../ml/tabular/history.ts';
import { ridge } from '../../ml/tabular/linear.ts';
import { AIR_QUALITY_ANALYZERS, AIR_QUALITY_SENSORS, AIR_QUALITY_SPEC } from '../../ml/tabular/presets/airQuality.ts';
import { filterRows, targets } from '../../ml/tabular/rows.ts';
import { forwardChainingFolds } from '../../ml/tabular/split.ts';
import { boostingLearner } from '../../ml/tabular/trees/boosting.ts';
import { forestLearner } from '../../ml/tabular/trees/forest.ts';
import { seededRandom } from '../../ml/tabular/trees/random.ts';
import type { RawRow } from '../../ml/tabular/values.ts';

function data(seed: number, rows: number) {
  const random = seededRandom(seed);
  const uniform = () => random.below(1_000_003) / 1_000_003;
  const x = Array.from({ length: rows }, () => [uniform(), uniform(), uniform()]);
  const y = x.map(([a, b, c]) => 3 * a! + Math.sin(6 * b!) + c! * c! + (uniform() - 0.5) * 0.2);
  return { x, y };
}

describe('the average learner', () => {
  const train = data(1, 300);
  const test = data(2, 50);
  const options = { task: 'regression' as const, seed: 5 };

  it("predicts the mean of its members' predictions, each fitted alone with its own hyperparameters and seed", () => {
    const hyper = {
      ...averageLearner.defaults,
      forestTrees: 20,
      forestMinLeaf: 4,
      boostingLearningRate: 0.1,
      boostingMaxDepth: 3,
      ridgeAlpha: 2,
    };
    const model = averageLearner.fit(train.x, train.y, hyper, options);
    const forest = forestLearner.fit(train.x, train.y, { trees: 20, minLeaf: 4, featureFraction: 0.5 } as never, {
      ...options,
      seed: 5,
    });
    const boosting = boostingLearner.fit(
      train.x,
      train.y,
      { learningRate: 0.1, maxDepth: 3, minLeaf: 20, rowFraction: 0.8, featureFraction: 0.8 } as never,
      { ...options, seed: 6 },
    );
    const linear = ridge.fit(train.x, train.y, { alpha: 2 }, { ...options, seed: 7 });
    const members = [
      forestLearner.predict(forest, test.x),
      boostingLearner.predict(boosting, test.x),
      ridge.predict(linear, test.x),
    ];
    const expected = test.x.map((_, i) => members.reduce((s, p) => s + p[i]!, 0) / 3);
    const got = averageLearner.predict(model, test.x);
    got.forEach((p, i) => assert.ok(Math.abs(p - expected[i]!) < 1e-12, `row ${i}: ${p} vs ${expected[i]}`));
    // a model is plain JSON: the same predictions after a round trip
    assert.deepEqual(averageLearner.predict(JSON.parse(JSON.stringify(model)) as typeof model, test.x), got);
  });

  it('averages only the members it names', () => {
    const two = averageLearner.fit(
      train.x,
      train.y,
      { ...averageLearner.defaults, members: 'forest+boosting' },
      options,
    );
    assert.deepEqual(
      two.params.members.map((m) => m.learner),
      ['forest', 'boosting'],
    );
  });

  it('rejects unknown or repeated members, unknown hyperparameters and classification', () => {
    const fit = (hyper: Record<string, unknown>, task: 'regression' | 'binary' = 'regression') =>
      averageLearner.fit(train.x, train.y, { ...averageLearner.defaults, ...hyper }, { task, seed: 1 });
    assert.throws(
      () => fit({ members: 'forest+knn' }),
      /unknown member "knn" in members \(known: forest, boosting, ridge\)/,
    );
    assert.throws(() => fit({ members: 'ridge+ridge' }), /members repeats a member: ridge\+ridge/);
    assert.throws(() => fit({ members: '' }), /members must be member names joined by '\+', got ""/);
    assert.throws(() => fit({ trees: 5 }), /unknown hyperparameter "trees"/);
    assert.throws(() => fit({}, 'binary'), /regression only, got task binary/);
  });
});

describe("the air-quality spec's cross-validation folds", () => {
  // 120 hours given latest first: the folds must still predict later hours from earlier ones (each
  // fold's training part is over a day long, so the sensors' same hour yesterday has readings)
  const rows: RawRow[] = withHistory(
    AIR_QUALITY_SPEC,
    Array.from({ length: 120 }, (_, i) => {
      const hour = 119 - i;
      const at = `2004-03-${String(10 + Math.floor(hour / 24)).padStart(2, '0')} ${String(hour % 24).padStart(2, '0')}:00:00`;
      const inputs = [...AIR_QUALITY_SENSORS, ...AIR_QUALITY_ANALYZERS].map((c, j): [string, number] => [
        c,
        100 * j + (hour % 7),
      ]);
      return { DateTime: at, Hour: hour % 24, Weekday: 3, 'CO(GT)': hour / 10, ...Object.fromEntries(inputs) };
    }),
  );

  it('chain forward in time: each fold trains on earlier hours and tests on the next block', () => {
    const { rows: kept } = filterRows(AIR_QUALITY_SPEC, rows);
    const folds = prepareFolds(AIR_QUALITY_SPEC, kept, { folds: 3, seed: 0 });
    const y = targets(AIR_QUALITY_SPEC, kept);
    const expected = forwardChainingFolds(
      kept.map((r) => String(r.DateTime)),
      { k: 3 },
    );
    assert.deepEqual(
      folds.map((f) => [f.train.y, f.test.y]),
      expected.map((f) => [f.train.map((i) => y[i]!), f.test.map((i) => y[i]!)]),
    );
    for (const f of folds) assert.ok(Math.max(...f.train.y) < Math.min(...f.test.y), 'CO(GT) grows with the hour');
  });

  it('names a row without its time', () => {
    const { rows: kept } = filterRows(AIR_QUALITY_SPEC, rows);
    const broken = kept.map((r, i) => (i === 7 ? { ...r, DateTime: '' } : r));
    assert.throws(
      () => prepareFolds(AIR_QUALITY_SPEC, broken, { folds: 3, seed: 0 }),
      /spec air-quality: row 7 has no DateTime \(""\) to order its folds by/,
    );
  });
});
