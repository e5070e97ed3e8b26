// KMeans for one k with ml-kmeans (k-means++ init): several seeded restarts, keeping the one with
// the best silhouette (the lowest inertia breaks ties), since the lowest inertia does not always
// give the best-separated segments. Labels are reassigned to the final centroids (ml-kmeans
// returns the assignment made before its last centroid update).
import { kmeans } from 'ml-kmeans';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { silhouette, type Silhouette } from './silhouette.ts';

export interface KMeansOptions {
  /** Restarts from different k-means++ seeds; at least 1. */
  restarts?: number;
  /** Seeds the restarts' seeds and the silhouette sample. */
  seed?: number;
  maxIterations?: number;
  /** Stop when no centroid moves by more than this squared distance. */
  tolerance?: number;
  /** Exact silhouette up to this many points, a seeded sample of this many above. */
  silhouetteLimit?: number;
}

export interface KMeansRestart {
  seed: number;
  inertia: number;
  silhouette: number;
  iterations: number;
  converged: boolean;
}

export interface KMeansFit {
  k: number;
  centroids: number[][];
  labels: number[];
  /** Points per centroid. */
  sizes: number[];
  /** Sum of squared distances to the nearest centroid. */
  inertia: number;
  silhouette: Silhouette;
  /** Every restart, the kept one at `kept`. */
  restarts: KMeansRestart[];
  kept: number;
}

export function fitKMeans(points: number[][], k: number, options: KMeansOptions = {}): KMeansFit {
  const { restarts = 10, seed = 0, maxIterations = 300, tolerance = 1e-6, silhouetteLimit } = options;
  if (!Number.isInteger(k) || k < 2) throw new Error(`fitKMeans: k must be a whole number of at least 2, got ${k}`);
  if (points.length <= k) throw new Error(`fitKMeans: k = ${k} needs more than ${k} points, got ${points.length}`);
  if (!Number.isInteger(restarts) || restarts < 1)
    throw new Error(`fitKMeans: restarts must be a whole number of at least 1, got ${restarts}`);
  const rng = xoroshiro128plus(seed);
  let best: KMeansFit | null = null;
  const runs: KMeansRestart[] = [];
  for (let r = 0; r < restarts; r++) {
    const restartSeed = uniformInt(rng, 0, 2 ** 31 - 1);
    const result = kmeans(points, k, { initialization: 'kmeans++', seed: restartSeed, maxIterations, tolerance });
    const { labels, sizes, inertia } = assign(points, result.centroids);
    const score = silhouette(points, labels, { seed, ...(silhouetteLimit ? { limit: silhouetteLimit } : {}) });
    runs.push({
      seed: restartSeed,
      inertia,
      silhouette: score.score,
      iterations: result.iterations,
      converged: result.converged,
    });
    if (
      !best ||
      score.score > best.silhouette.score ||
      (score.score === best.silhouette.score && inertia < best.inertia)
    )
      best = { k, centroids: result.centroids, labels, sizes, inertia, silhouette: score, restarts: runs, kept: r };
  }
  return best!;
}

/** Index of the centroid nearest to `point` (the first on a tie). */
export function nearestCentroid(centroids: readonly (readonly number[])[], point: readonly number[]): number {
  let best = 0;
  let bestDistance = Infinity;
  centroids.forEach((c, i) => {
    if (c.length !== point.length)
      throw new Error(`nearestCentroid: the point has ${point.length} values, centroid ${i} ${c.length}`);
    let squared = 0;
    for (let t = 0; t < c.length; t++) {
      const diff = c[t]! - point[t]!;
      squared += diff * diff;
    }
    if (squared < bestDistance) {
      bestDistance = squared;
      best = i;
    }
  });
  return best;
}

function assign(points: readonly (readonly number[])[], centroids: readonly (readonly number[])[]) {
  const sizes: number[] = centroids.map(() => 0);
  let inertia = 0;
  const labels = points.map((p) => {
    const c = nearestCentroid(centroids, p);
    sizes[c]!++;
    const centroid = centroids[c]!;
    for (let t = 0; t < p.length; t++) inertia += (p[t]! - centroid[t]!) ** 2;
    return c;
  });
  return { labels, sizes, inertia };
}
