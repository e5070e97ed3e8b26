// POST /predict, the seed's endpoint (its clients keep working): its request, its answer
// {"Predicted Cluster": n} for the first customer in pandas' order, and its error shape
// {"error": "..."}, naming the field. The model is the production segmentation version, in memory.
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ApiDeps } from '../deps.ts';
import { ApiError, errorHandler } from '../errors.ts';
import { errors, json, router } from '../openapi.ts';
import { predictCustomers, productionSegments } from '../segmentPredictions.ts';
import { SeedError, seedCustomer, SeedPredictRequest, SeedPredictResponse } from '../segmentSchemas.ts';

const predict = createRoute({
  method: 'post',
  path: '/predict',
  tags: ['segments'],
  summary: "The seed's customer segment prediction: one customer's segment from their transactions",
  description:
    'Compatible with the seed (retail customer clustering): the Recency, Frequency, Monetary and Interpurchase_Time ' +
    'of the transactions as of `latest_date`, scaled and assigned by the production segmentation model. With several ' +
    "customers, the answer is the first's in the seed's order (ids sent as numbers by value, as strings as text); " +
    'POST /v1/segments/predict answers for each. Errors are `{"error": "..."}` as in the seed.',
  request: { body: { ...json(SeedPredictRequest, 'a date and transactions'), required: true } },
  responses: {
    200: json(SeedPredictResponse, 'the segment'),
    400: json(SeedError, 'a field is missing or wrong; the message names it'),
    409: json(SeedError, 'no segmentation model is in production yet'),
    ...errors(413),
  },
});

/** The seed's error shape for what the caller can fix; a large body and outages as every route answers them. */
function seedErrors(deps: ApiDeps) {
  const standard = errorHandler(deps.log);
  return (err: Error, c: Context) => {
    if (err instanceof ApiError && err.status !== 413) return c.json({ error: err.message }, err.status);
    if (err instanceof HTTPException && err.status !== 413) {
      const message = err.status === 400 ? 'the request body is not valid JSON' : err.message;
      return c.json({ error: message }, err.status);
    }
    return standard(err, c);
  };
}

export function seedPredictRoutes(deps: ApiDeps) {
  return router()
    .openapi(predict, async (c) => {
      const request = c.req.valid('json');
      const serving = await productionSegments(deps.models);
      const first = seedCustomer(request);
      const answer = predictCustomers(serving, {
        ...request,
        purchases: request.purchases.filter((p) => p.customerId === first),
      });
      return c.json({ 'Predicted Cluster': answer[0]!.segment }, 200);
    })
    .onError(seedErrors(deps));
}
