// Runs in a worker thread (piscina): fits one k of a segmentation run, its restarts and their
// silhouettes, so the ks of a run fit on every core and the activity's heartbeats keep going.
import type { SegmentCountFit } from '../../contracts/segmentation.ts';
import { fitKMeans } from '../../ml/segmentation/kmeans.ts';

export interface SegmentFitTask {
  /** Customers' scaled features. */
  points: number[][];
  k: number;
  restarts: number;
  seed: number;
}

export function fitSegments({ points, k, restarts, seed }: SegmentFitTask): SegmentCountFit {
  const fit = fitKMeans(points, k, { restarts, seed });
  return {
    k,
    inertia: fit.inertia,
    silhouette: fit.silhouette.score,
    silhouettePoints: fit.silhouette.points,
    sizes: fit.sizes,
    centroids: fit.centroids,
    restarts: fit.restarts.map(({ seed, inertia, silhouette }) => ({ seed, inertia, silhouette })),
    kept: fit.kept,
  };
}
