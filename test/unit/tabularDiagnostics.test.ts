import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { featureImportances, predictedAgainstActual } from '../../ml/tabular/diagnostics.ts';
import { fitTabular, predictTabular } from '../../ml/tabular/evaluate.ts';
import { rmse } from '../../ml/tabular/metrics.ts';
import type { DatasetSpec } from '../../ml/tabular/spec.ts';

// y is a step in x; z is noise the target never reads.
const spec: DatasetSpec = {
  name: 'step',
  task: 'regression',
  columns: [
    { name: 'z', type: 'number' },
    { name: 'x', type: 'number' },
  ],
  target: { column: 'y' },
  features: [
    { column: 'z', encode: 'number' },
    { column: 'x', encode: 'number' },
  ],
};
const rows = Array.from({ length: 120 }, (_, i) => {
  const x = (i * 37) % 101;
  return { z: (i * 53) % 17, x, y: x < 50 ? 10 : 30 };
});

describe('predictedAgainstActual', () => {
  it("pairs each row's target with the model's prediction, in row order, with the metrics of them", () => {
    const fitted = fitTabular(spec, rows, 'ridge', { alpha: 1 }, 0);
    const held = rows.slice(0, 20);
    const { points, metrics } = predictedAgainstActual(fitted, held);
    const predicted = predictTabular(fitted, held);
    assert.deepEqual(
      points,
      held.map((r, i) => ({ actual: r.y, predicted: predicted[i] })),
    );
    assert.equal(
      metrics.rmse,
      rmse(
        held.map((r) => r.y),
        predicted,
      ),
    );
  });
});

describe('featureImportances', () => {
  it("names a tree's features by their encoded names, largest first: the one the target reads carries it all", () => {
    const tree = fitTabular(spec, rows, 'tree', { maxDepth: 3, minLeaf: 5 }, 0);
    const importances = featureImportances(tree)!;
    assert.deepEqual(
      importances.map((f) => f.feature),
      ['x', 'z'],
    );
    assert.equal(importances[0]!.importance, 1);
    assert.equal(importances[1]!.importance, 0);
  });

  it('is null for a learner without importances (linear models)', () => {
    assert.equal(featureImportances(fitTabular(spec, rows, 'ridge', { alpha: 1 }, 0)), null);
  });
});
