import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitKMeans, nearestCentroid } from '../../ml/segmentation/kmeans.ts';
import { sampleIndexes, silhouette, silhouetteScore } from '../../ml/segmentation/silhouette.ts';

// Reference numbers printed by scikit-learn 1.9.1 (numpy 2.4.6): silhouette_score on the same
// points and labels, and KMeans(n_clusters=k, n_init=10, random_state=0) on the blobs; pasted
// here as fixed numbers. The points come from integer formulas, so Python and JS build the same ones.
const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} vs ${expected}`);

const formulaPoints = Array.from({ length: 500 }, (_, i) => [
  ((i * 37) % 101) / 10,
  ((i * 59) % 103) / 7,
  ((i * 13) % 17) / 3,
]);
const formulaLabels = formulaPoints.map((_, i) => (i * 7) % 4);
const blob = (i: number) => {
  const [cx, cy] = (
    [
      [0, 0],
      [5, 5],
      [0, 8],
    ] as const
  )[i % 3]!;
  return [cx + (((i * 37) % 11) - 5) / 10, cy + (((i * 53) % 13) - 6) / 10];
};
const blobs = Array.from({ length: 300 }, (_, i) => blob(i));

describe('silhouetteScore (exact, as scikit-learn)', () => {
  it('computes a hand-checked case: points 0, 1, 3 against 10, 11', () => {
    const expected = (8.5 / 10.5 + 8 / 9.5 + 5 / 7.5 + 23 / 26 + 26 / 29) / 5;
    close(silhouetteScore([[0], [1], [3], [10], [11]], [0, 0, 0, 1, 1]), expected);
    close(expected, 0.8198925696203373);
  });

  it('counts a point alone in its cluster as 0', () => {
    // scikit-learn: 0.6030309990117432
    close(
      silhouetteScore(
        [
          [0, 0],
          [0, 1],
          [4, 0],
          [4, 1],
          [10, 10],
        ],
        [0, 0, 1, 1, 2],
      ),
      0.6030309990117432,
    );
  });

  it('matches scikit-learn on 500 points in 3 dimensions with 4 mixed-up clusters', () => {
    close(silhouetteScore(formulaPoints, formulaLabels), -0.009978919069951502, 1e-10);
  });

  it('does not depend on the label values, only on the grouping', () => {
    const relabelled = formulaLabels.map((l) => [17, 3, 99, 0][l]!);
    assert.equal(silhouetteScore(formulaPoints, relabelled), silhouetteScore(formulaPoints, formulaLabels));
  });

  it('refuses one cluster, as many clusters as points, and bad values', () => {
    assert.throws(() => silhouetteScore([[0], [1], [2]], [0, 0, 0]), /1 clusters among 3 points; needs 2 to 2/);
    assert.throws(() => silhouetteScore([[0], [1], [2]], [0, 1, 2]), /3 clusters among 3 points/);
    assert.throws(() => silhouetteScore([[0], [Number.NaN], [2]], [0, 1, 1]), /point 1 value 0 is NaN, not a number/);
    assert.throws(() => silhouetteScore([[0], [1]], [0]), /2 points but 1 labels/);
  });
});

describe('silhouette (exact up to the limit, seeded sample above)', () => {
  it('is exact at or under the limit', () => {
    assert.deepEqual(silhouette(formulaPoints, formulaLabels, { limit: 500 }), {
      score: silhouetteScore(formulaPoints, formulaLabels),
      points: 500,
      sampleSeed: null,
    });
  });

  it('above the limit scores the seeded sample exactly, the same for the same seed', () => {
    const sample = sampleIndexes(500, 200, 7);
    assert.equal(new Set(sample).size, 200);
    assert.ok(sample.every((i) => Number.isInteger(i) && i >= 0 && i < 500));
    assert.deepEqual(sampleIndexes(500, 200, 7), sample);
    assert.notDeepEqual(sampleIndexes(500, 200, 8), sample);
    const sampled = silhouette(formulaPoints, formulaLabels, { limit: 200, seed: 7 });
    assert.deepEqual(sampled, {
      score: silhouetteScore(
        sample.map((i) => formulaPoints[i]!),
        sample.map((i) => formulaLabels[i]!),
      ),
      points: 200,
      sampleSeed: 7,
    });
    const exactBlobs = silhouetteScore(
      blobs,
      blobs.map((_, i) => i % 3),
    );
    close(
      silhouette(
        blobs,
        blobs.map((_, i) => i % 3),
        { limit: 150, seed: 1 },
      ).score,
      exactBlobs,
      0.02,
    );
  });
});

describe('fitKMeans (ml-kmeans, restarts kept by silhouette)', () => {
  // scikit-learn KMeans(n_init=10, random_state=0) on the blobs: k -> [inertia, silhouette]
  const sklearn: Record<number, [number, number]> = {
    2: [1769.0637000000002, 0.6831450690120431],
    3: [72.2621, 0.8979935597136955],
  };

  for (const k of [2, 3]) {
    it(`finds scikit-learn's clustering of three blobs at k = ${k}`, () => {
      const fit = fitKMeans(blobs, k, { seed: 1 });
      close(fit.inertia, sklearn[k]![0], 1e-9);
      close(fit.silhouette.score, sklearn[k]![1], 1e-12);
      assert.equal(
        fit.sizes.reduce((a, b) => a + b),
        blobs.length,
      );
      assert.equal(fit.restarts.length, 10);
    });
  }

  it('keeps the restart with the best silhouette and is deterministic by seed', () => {
    const fit = fitKMeans(formulaPoints, 5, { seed: 3, restarts: 12 });
    assert.equal(fit.restarts.length, 12);
    const bestScore = Math.max(...fit.restarts.map((r) => r.silhouette));
    assert.equal(fit.restarts[fit.kept]!.silhouette, bestScore);
    assert.equal(fit.silhouette.score, bestScore);
    close(silhouetteScore(formulaPoints, fit.labels), bestScore, 0);
    assert.deepEqual(fitKMeans(formulaPoints, 5, { seed: 3, restarts: 12 }), fit);
    assert.notDeepEqual(fitKMeans(formulaPoints, 5, { seed: 4, restarts: 12 }).restarts, fit.restarts);
  });

  it('labels every point with its nearest centroid and reports that inertia', () => {
    const fit = fitKMeans(formulaPoints, 4, { seed: 2 });
    let inertia = 0;
    formulaPoints.forEach((p, i) => {
      const label = nearestCentroid(fit.centroids, p);
      assert.equal(fit.labels[i], label);
      inertia += p.reduce((sum, v, t) => sum + (v - fit.centroids[label]![t]!) ** 2, 0);
    });
    close(fit.inertia, inertia, 1e-9);
  });

  it('refuses a bad k, too few points and no restarts', () => {
    assert.throws(() => fitKMeans(blobs, 1), /k must be a whole number of at least 2, got 1/);
    assert.throws(() => fitKMeans(blobs.slice(0, 3), 3), /k = 3 needs more than 3 points, got 3/);
    assert.throws(() => fitKMeans(blobs, 3, { restarts: 0 }), /restarts must be a whole number of at least 1, got 0/);
  });
});

describe('nearestCentroid', () => {
  it('picks the closest and names a width mismatch', () => {
    assert.equal(
      nearestCentroid(
        [
          [0, 0],
          [5, 5],
          [0, 8],
        ],
        [1, 6.9],
      ),
      2,
    );
    assert.throws(() => nearestCentroid([[0, 0]], [1]), /the point has 1 values, centroid 0 2/);
  });
});
