// Customers' segments from their transactions, with the production segmentation model kept in
// memory (platform/productionModels.ts): the seed's RFMT features as of the request's date, scaled
// and matched to the nearest centroid, as the seed's /predict does.
import { customerFeatures } from '../ml/segmentation/features.ts';
import { predictSegment } from '../ml/segmentation/predict.ts';
import type { ProductionModels, ServingSegmentation } from '../platform/productionModels.ts';
import { ApiError } from './errors.ts';
import type { SeedPredictRequest } from './segmentSchemas.ts';

export const NO_SEGMENTATION_MODEL =
  'no customer segmentation model is in production yet: run segmentation first (POST /v1/segmentation-runs with an admin key, or the Segments page)';

/** The production segmentation model, or a 409 that says how to make one. */
export async function productionSegments(models: ProductionModels): Promise<ServingSegmentation> {
  const serving = await models.segmentation();
  if (!serving) throw new ApiError(409, 'no_segmentation_model', NO_SEGMENTATION_MODEL);
  return serving;
}

/** Every customer of the request (ordered by id), with their features, segment and its label. */
export function predictCustomers(serving: ServingSegmentation, request: SeedPredictRequest) {
  return customerFeatures(request.purchases, request.latestDate).map(({ customerId, ...features }) => {
    const segment = predictSegment(serving.params, { customerId, ...features });
    return {
      customer_id: customerId,
      segment,
      label: serving.params.profiles[segment]?.label ?? `segment ${segment}`,
      features,
      model_version: serving.version,
    };
  });
}
