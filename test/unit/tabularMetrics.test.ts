import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  averagePrecision,
  binaryMetrics,
  confusion,
  f1,
  logLoss,
  mae,
  precision,
  r2,
  recall,
  regressionMetrics,
  rmse,
  rocAuc,
} from '../../ml/tabular/metrics.ts';

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected}`);

describe('regression metrics', () => {
  // scikit-learn's documentation example: MSE 0.375, MAE 0.5, R2 0.948...
  const y = [3, -0.5, 2, 7];
  const p = [2.5, 0, 2, 8];

  it('computes RMSE, MAE and R2 by hand', () => {
    close(rmse(y, p), Math.sqrt(0.375));
    close(mae(y, p), 0.5);
    // mean 2.875; total = 0.015625 + 11.390625 + 0.765625 + 17.015625 = 29.1875; residual 1.5
    close(r2(y, p), 1 - 1.5 / 29.1875);
    assert.deepEqual(regressionMetrics(y, p), { rmse: rmse(y, p), mae: mae(y, p), r2: r2(y, p) });
  });

  it('gives R2 of a constant target as scikit-learn does, and R2 below 0 for a bad model', () => {
    assert.equal(r2([5, 5], [5, 5]), 1);
    assert.equal(r2([5, 5], [4, 5]), 0);
    close(r2([1, 2, 3], [3, 2, 1]), 1 - 8 / 2);
  });

  it('rejects mismatched, empty or non-finite input, naming the row', () => {
    assert.throws(() => rmse([1, 2], [1]), /rmse: 2 targets but 1 predictions/);
    assert.throws(() => mae([], []), /mae: no rows/);
    assert.throws(() => rmse([1, 2], [1, Number.NaN]), /rmse: prediction 1 is NaN/);
  });
});

describe('classification metrics', () => {
  it('counts precision, recall and F1 at a threshold', () => {
    const y = [1, 1, 0, 0, 1];
    const p = [0.9, 0.4, 0.6, 0.2, 0.7];
    assert.deepEqual(confusion(y, p), { tp: 2, fp: 1, tn: 1, fn: 1 });
    close(precision(y, p), 2 / 3);
    close(recall(y, p), 2 / 3);
    close(f1(y, p), 2 / 3);
    // at 0.65: predicted [1, 0, 0, 0, 1]: tp 2, fp 0, fn 1
    close(precision(y, p, 0.65), 1);
    close(recall(y, p, 0.65), 2 / 3);
    close(f1(y, p, 0.65), 0.8);
    // nothing predicted positive: 0, not NaN
    assert.equal(precision(y, p, 0.95), 0);
    assert.equal(f1(y, p, 0.95), 0);
  });

  it('computes log loss with clipping', () => {
    close(logLoss([1, 0], [0.8, 0.3]), -(Math.log(0.8) + Math.log(0.7)) / 2);
    close(logLoss([1], [0]), -Math.log(Number.EPSILON));
    assert.throws(() => logLoss([2], [0.5]), /target 0 is 2, not 0 or 1/);
  });

  it('computes ROC AUC as scikit-learn, ties counting half', () => {
    close(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
    // pairs (positive, negative): (0.5, 0.5) tie 0.5, (0.5, 0.2) 1, (0.9, 0.5) 1, (0.9, 0.2) 1 -> 3.5 / 4
    close(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]), 0.875);
    close(rocAuc([0, 1], [0.3, 0.3]), 0.5);
    close(rocAuc([1, 0, 1], [0.1, 0.9, 0.2]), 0);
    assert.throws(() => rocAuc([1, 1], [0.1, 0.9]), /needs both classes, got only 1s/);
  });

  it('computes PR AUC as average precision (scikit-learn), tied scores one threshold', () => {
    // scikit-learn's documentation example: 0.8333...
    close(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.5 * 1 + 0.5 * (2 / 3));
    // thresholds 0.9 (P 1, R 0.5), 0.5 with a tie (P 2/3, R 1), 0.2 (no recall gained)
    close(averagePrecision([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]), 0.5 + 0.5 * (2 / 3));
    // a tie at the top: precision 1/2 over all the recall
    close(averagePrecision([1, 0], [0.7, 0.7]), 0.5);
    close(averagePrecision([1, 1, 0], [0.9, 0.8, 0.1]), 1);
    assert.throws(() => averagePrecision([0, 0], [0.1, 0.2]), /needs at least one positive/);
  });

  it('gathers the set seed 003 needs', () => {
    const y = [0, 0, 1, 1];
    const p = [0.1, 0.4, 0.35, 0.8];
    const m = binaryMetrics(y, p);
    assert.deepEqual(Object.keys(m), ['precision', 'recall', 'f1', 'logLoss', 'rocAuc', 'prAuc']);
    close(m.rocAuc, 0.75);
    close(m.recall, 0.5);
  });
});
