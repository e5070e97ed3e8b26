import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  crossValidate,
  crossValidatePrepared,
  fitTabular,
  predictTabular,
  prepareFolds,
  scoreOf,
} from '../../ml/tabular/evaluate.ts';
import { LEARNERS } from '../../ml/tabular/learners.ts';
import type { Trial } from '../../ml/tabular/searchSpace.ts';
import { rmse } from '../../ml/tabular/metrics.ts';
import { BIGMART_SPEC, bigmartSpec } from '../../ml/tabular/presets/bigmart.ts';
import { filterRows, targets } from '../../ml/tabular/rows.ts';
import type { DatasetSpec } from '../../ml/tabular/spec.ts';
import { kFold, randomSplit } from '../../ml/tabular/split.ts';
import { generateBigMart } from '../../scripts/data/bigmartGenerator.ts';

// y = 3 x + 10 + noise in [-0.5, 0.5): a linear model's error is the noise's, 1/sqrt(12) ~ 0.29.
const spec: DatasetSpec = {
  name: 'line',
  task: 'regression',
  columns: [{ name: 'x', type: 'number' }],
  target: { column: 'y' },
  features: [{ column: 'x', encode: 'number', scale: 'standardize' }],
};
const line = Array.from({ length: 200 }, (_, i) => {
  const x = (i * 37) % 101;
  return { x, y: 3 * x + 10 + (((i * 53) % 100) / 100 - 0.5) };
});

describe('crossValidate', () => {
  it('scores each fold with preprocessing fitted on its own training part, deterministically by seed', () => {
    const ridge = crossValidate(spec, line, 'ridge', { alpha: 1e-6 }, { folds: 5, seed: 1 });
    assert.deepEqual(Object.keys(ridge).sort(), ['mae', 'r2', 'rmse']);
    assert.ok(ridge.rmse!.mean > 0.2 && ridge.rmse!.mean < 0.35, `ridge rmse ${ridge.rmse!.mean}`);
    assert.ok(ridge.r2!.mean > 0.999);
    assert.deepEqual(crossValidate(spec, line, 'ridge', { alpha: 1e-6 }, { folds: 5, seed: 1 }), ridge);
    // one neighbour copies the nearest x's noisy y: worse than the line
    const knn = crossValidate(spec, line, 'knn', { k: 1 }, { folds: 5, seed: 1 });
    assert.ok(knn.rmse!.mean > ridge.rmse!.mean);
  });

  it('scores folds prepared once exactly as fitting and predicting each fold through the serving path', () => {
    const { rows } = filterRows(BIGMART_SPEC, generateBigMart({ seed: 4, rows: 600 }).train);
    const y = targets(BIGMART_SPEC, rows);
    for (const [learner, trial] of [
      ['lasso', { alpha: 2 }],
      ['forest', { trees: 5 }],
    ] as const) {
      const perFold = kFold(rows.length, { k: 3, seed: 7 }).map(({ train, test }) =>
        scoreOf(
          BIGMART_SPEC,
          test.map((i) => y[i]!),
          predictTabular(
            fitTabular(
              BIGMART_SPEC,
              train.map((i) => rows[i]!),
              learner,
              trial,
              7,
            ),
            test.map((i) => rows[i]!),
          ),
        ),
      );
      const cv = crossValidate(BIGMART_SPEC, rows, learner, trial, { folds: 3, seed: 7 });
      assert.equal(cv.rmse!.mean, perFold.reduce((a, s) => a + s.rmse!, 0) / perFold.length);
    }
  });

  it('leaves prepared folds as they were: every learner scores them the same again, so trials can share them', () => {
    const { rows } = filterRows(BIGMART_SPEC, generateBigMart({ seed: 6, rows: 400 }).train);
    const folds = prepareFolds(BIGMART_SPEC, rows, { folds: 3, seed: 1 });
    const before = JSON.stringify(folds);
    for (const [name, { tasks }] of Object.entries(LEARNERS)) {
      if (!tasks.includes('regression')) continue;
      const trial: Trial = name === 'forest' || name === 'boosting' ? { trees: 5 } : {};
      const first = crossValidatePrepared(BIGMART_SPEC, folds, name, trial, 1);
      assert.deepEqual(crossValidatePrepared(BIGMART_SPEC, folds, name, trial, 1), first, name);
    }
    assert.equal(JSON.stringify(folds), before);
  });

  it('fits, scores and predicts generated BigMart rows through one path (unseen Test.csv rows included)', () => {
    const data = generateBigMart({ seed: 2, rows: 1500 });
    const { rows } = filterRows(BIGMART_SPEC, data.train);
    const split = randomSplit(rows.length, { testShare: 0.2, seed: 0 });
    const train = split.train.map((i) => rows[i]!);
    const test = split.test.map((i) => rows[i]!);
    const cv = crossValidate(BIGMART_SPEC, train, 'lasso', { alpha: 1 }, { folds: 3, seed: 0 });
    assert.ok(Number.isFinite(cv.rmse!.mean) && cv.rmse!.std >= 0);
    const fitted = fitTabular(BIGMART_SPEC, train, 'lasso', { alpha: 1 }, 0);
    const p = predictTabular(fitted, test);
    assert.equal(p.length, test.length);
    // better than predicting the training mean for everyone
    const y = targets(BIGMART_SPEC, test);
    const mean = targets(BIGMART_SPEC, train).reduce((a, b) => a + b, 0) / train.length;
    assert.ok(
      rmse(y, p) <
        rmse(
          y,
          p.map(() => mean),
        ),
    );
    // a JSON round trip (as stored) predicts the same; Test.csv rows have no target and still score
    assert.deepEqual(predictTabular(JSON.parse(JSON.stringify(fitted)) as typeof fitted, test), p);
    assert.ok(predictTabular(fitted, data.test).every(Number.isFinite));
  });

  it("fits a trial's feature set: the same as the spec with that set, and an error for a set the spec lacks", () => {
    const data = generateBigMart({ seed: 3, rows: 600 });
    const { rows } = filterRows(BIGMART_SPEC, data.train);
    const cv = crossValidate(BIGMART_SPEC, rows, 'ridge', { features: 'seed', alpha: 2 }, { folds: 3, seed: 0 });
    assert.deepEqual(cv, crossValidate(bigmartSpec('all', 'seed'), rows, 'ridge', { alpha: 2 }, { folds: 3, seed: 0 }));
    assert.notDeepEqual(cv, crossValidate(BIGMART_SPEC, rows, 'ridge', { alpha: 2 }, { folds: 3, seed: 0 }));
    const fitted = fitTabular(BIGMART_SPEC, rows, 'ridge', { features: 'seed', alpha: 2 }, 0);
    assert.deepEqual(fitted.preprocessing.spec, bigmartSpec('all', 'seed'));
    assert.deepEqual(
      predictTabular(fitted, data.test),
      predictTabular(fitTabular(bigmartSpec('all', 'seed'), rows, 'ridge', { alpha: 2 }, 0), data.test),
    );
    assert.throws(() => fitTabular(BIGMART_SPEC, rows, 'ridge', { features: 'raw' }, 0), {
      message: /^spec bigmart-all-rows: no feature set raw \(known: seed, signal\)/,
    });
    assert.throws(() => fitTabular(spec, line, 'ridge', { features: 'seed' }, 0), {
      message: /^spec line: no feature set seed \(known: none/,
    });
    assert.throws(() => fitTabular(BIGMART_SPEC, rows, 'ridge', { features: 1 }, 0), {
      message: /^trial features must name a feature set, got 1/,
    });
  });
});
