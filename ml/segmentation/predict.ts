// A customer's segment from their features: the model's feature columns, scaled by the model's
// scaler, then the nearest centroid, as the seed's /predict does with its saved scaler and KMeans.
import { type CustomerFeatures, type FeatureName } from './features.ts';
import { nearestCentroid } from './kmeans.ts';
import { transform, type Scaler } from './scaler.ts';

export interface SegmentationModel {
  features: readonly FeatureName[];
  scaler: Scaler;
  /** In the scaled space. */
  centroids: number[][];
}

export function predictSegment(model: SegmentationModel, customer: CustomerFeatures): number {
  const [scaled] = transform(model.scaler, [model.features.map((name) => customer[name])]);
  return nearestCentroid(model.centroids, scaled!);
}
