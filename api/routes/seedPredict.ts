// The seeds' /predict endpoints (their clients keep working), told apart by the body's shape, so
// either path takes either body (FastAPI answers /predict with a redirect to /predict/):
// - seed 000 (customer clustering, `POST /predict`): {latest_date, transactions} ->
//   {"Predicted Cluster": n} for the first customer in pandas' order, by the production
//   segmentation model;
// - seed 002 (BigMart, `POST /predict/`): {"features": {...}} -> {"prediction": x}, by the
//   production version of the `bigmart` tabular model with its own preprocessing.
// Errors are the seeds' shape {"error": "..."}, naming the field; a body of neither shape is a 400
// saying what each expects.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { TabularModelName } from '../../contracts/tabular.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError, errorHandler } from '../errors.ts';
import { errors, json, requestProblem, router } from '../openapi.ts';
import { predictCustomers, productionSegments } from '../segmentPredictions.ts';
import { SeedError, seedCustomer, SeedPredictRequest, SeedPredictResponse } from '../segmentSchemas.ts';
import { predictInstances, servingTabular } from '../tabularPredictions.ts';
import { BigMartSeedRequest, BigMartSeedResponse } from '../tabularSchemas.ts';
import { readJson } from '../validation.ts';

const BIGMART: TabularModelName = 'bigmart';

const SHAPES =
  'a JSON object: {"latest_date", "transactions"} for a customer\'s segment (seed 000), ' +
  'or {"features": {"Item_Weight", "Item_Visibility", "Item_MRP", "Outlet_Establishment_Year", "Outlet_Size", ' +
  '"Outlet_Location_Type", "Outlet_Type"}} for BigMart sales (seed 002)';

/** Which seed a body is for: BigMart's has `features`, the segmentation's `latest_date` or `transactions`. */
export function seedRequestKind(body: unknown): 'segment' | 'bigmart' | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  if ('features' in body) return 'bigmart';
  if ('latest_date' in body || 'transactions' in body) return 'segment';
  return undefined;
}

const route = (path: '/predict' | '/predict/', summary: string) =>
  createRoute({
    method: 'post',
    path,
    tags: ['segments', 'models'],
    summary,
    description:
      "The seeds' endpoints, on either path, told apart by the body: " +
      '`{"latest_date", "transactions"}` (seed 000, customer clustering): the Recency, Frequency, Monetary and ' +
      'Interpurchase_Time of the transactions as of `latest_date`, assigned by the production segmentation model; with ' +
      "several customers, the first's segment in the seed's order (POST /v1/segments/predict answers for each). " +
      '`{"features": {...}}` (seed 002, BigMart): the sales predicted by the production `bigmart` model with its own ' +
      "preprocessing; Outlet_Size and Outlet_Location_Type as the seed's codes (2, 1, 0, -1) or labels; the columns the " +
      'seed does not send (item and outlet identifiers, item type, fat content) are unknown and filled in as the ' +
      "model's spec says (unseen buckets, the training mode or mean), or used when sent. Errors are " +
      '`{"error": "..."}` as in the seeds, naming the field.',
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: z.union([SeedPredictRequest, BigMartSeedRequest]) } },
      },
    },
    responses: {
      200: json(z.union([SeedPredictResponse, BigMartSeedResponse]), 'the segment, or the predicted sales'),
      400: json(SeedError, 'a field is missing or wrong, or the body is of neither shape; the message names it'),
      404: json(SeedError, 'no bigmart model is registered'),
      409: json(SeedError, 'no segmentation (or bigmart) model is in production yet'),
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
  const answer = async (c: Context) => {
    const body = await readJson(c);
    const kind = seedRequestKind(body);
    if (kind === 'bigmart') {
      const row = BigMartSeedRequest.safeParse(body);
      if (!row.success) throw requestProblem(row.error, 'json');
      const serving = await servingTabular(deps.models, deps.pool, BIGMART);
      const [prediction] = predictInstances(serving, [row.data], (_, column) =>
        column ? `features.${column}` : 'features',
      );
      return c.json({ prediction: prediction! }, 200);
    }
    if (kind === 'segment') {
      const parsed = SeedPredictRequest.safeParse(body);
      if (!parsed.success) throw requestProblem(parsed.error, 'json');
      const request = parsed.data;
      const serving = await productionSegments(deps.models);
      const first = seedCustomer(request);
      const [customer] = predictCustomers(serving, {
        ...request,
        purchases: request.purchases.filter((p) => p.customerId === first),
      });
      return c.json({ 'Predicted Cluster': customer!.segment }, 200);
    }
    throw new ApiError(400, 'invalid_request', `body: must be ${SHAPES}`, 'body');
  };
  const routes = router();
  routes.openAPIRegistry.registerPath(
    route('/predict', "The seeds' predictions: a customer's segment (seed 000) or BigMart sales (seed 002)"),
  );
  routes.openAPIRegistry.registerPath(
    route('/predict/', "BigMart's seed endpoint (seed 002); takes seed 000's body too"),
  );
  return routes.post('/predict', answer).post('/predict/', answer).onError(seedErrors(deps));
}
