// Seed 001's serving endpoints (its Flask app behind Vertex AI: AIP_HEALTH_ROUTE /ping and
// AIP_PREDICT_ROUTE /predict) under /air-quality, since the bare /predict is the segmentation and
// BigMart seeds'. They serve the production air-quality version from memory, with its own
// preprocessing: the training part's imputation and normalization statistics (also written beside
// the version in GCS as normalization_stats.json). The same as GET /v1/models/air-quality/ping and
// POST /v1/models/air-quality/predict, in the Vertex shape: {"instances": [...]} -> {"predictions": [...]}.
import { createRoute, z } from '@hono/zod-openapi';
import { AIR_QUALITY_MODEL } from '../../contracts/airQuality.ts';
import type { ApiDeps } from '../deps.ts';
import { errors, json, requestProblem, router } from '../openapi.ts';
import { predictInstances, servingTabular } from '../tabularPredictions.ts';
import { AirQualityPredictRequest } from '../tabularSchemas.ts';
import { readJson } from '../validation.ts';

const Ping = z
  .object({
    ready: z.literal(true),
    version: z.number().int(),
    label: z.string().openapi({ example: '20261202_020000' }),
  })
  .openapi('AirQualityPing');
const Predictions = z
  .object({ predictions: z.array(z.number()).openapi({ description: 'CO(GT) in mg/m³, one per instance, in order' }) })
  .openapi('AirQualityPredictions');

const ping = createRoute({
  method: 'get',
  path: '/air-quality/ping',
  tags: ['models'],
  summary:
    "Seed 001's health route: 200 once the production air-quality version is loaded (409 `not_trained` before the first airQualityTraining, naming what to run)",
  responses: { 200: json(Ping, 'ready'), ...errors(404, 409) },
});

const predict = createRoute({
  method: 'post',
  path: '/air-quality/predict',
  tags: ['models'],
  summary: "Seed 001's prediction route: CO(GT) for 1 to 1,000 hourly readings",
  description:
    'Each instance is an hour of the UCI Air Quality file by its column names: PT08.S1(CO), PT08.S2(NMHC), ' +
    'PT08.S3(NOx), PT08.S4(NO2), PT08.S5(O3), T, RH, AH, NMHC(GT), C6H6(GT), NOx(GT), NO2(GT) (the last four read ' +
    'only by a version trained on every column), Hour (0-23) and Weekday (1 Monday to 7 Sunday); null or -200 for ' +
    "a missing reading, filled in with the training part's median. DateTime may be sent and is not used. A version " +
    "trained with the sensors' history features also needs `history`: the 168 previous hours' readings, newest " +
    'first (null for an hour without readings); missing or malformed, a 400 names `instances.<i>.history` or ' +
    '`instances.<i>.history.<j>.<column>`. A 400 names `instances.<i>.<column>`.',
  request: { body: { ...json(AirQualityPredictRequest, 'the instances'), required: true } },
  responses: { 200: json(Predictions, 'one prediction per instance'), ...errors(400, 404, 409, 413) },
});

export function airQualityRoutes({ models, pool }: ApiDeps) {
  const routes = router();
  routes.openAPIRegistry.registerPath(predict);
  return routes
    .openapi(ping, async (c) => {
      const serving = await servingTabular(models, pool, AIR_QUALITY_MODEL);
      return c.json({ ready: true as const, version: serving.version, label: serving.label }, 200);
    })
    .post('/air-quality/predict', async (c) => {
      const request = AirQualityPredictRequest.safeParse(await readJson(c));
      if (!request.success) throw requestProblem(request.error, 'json');
      const serving = await servingTabular(models, pool, AIR_QUALITY_MODEL);
      const predictions = predictInstances(serving, request.data.instances, (row, column) =>
        column ? `instances.${row}.${column}` : `instances.${row}`,
      );
      return c.json({ predictions }, 200);
    });
}
