// Tabular models (seed 002 BigMart first): predictions from the production version in memory
// ({"instances": [...]}, the Vertex AI shape), a readiness ping, the versions with their metrics
// and stage, and (admin) promoting a version or rolling production back.
import { createRoute, z } from '@hono/zod-openapi';
import {
  promoteTabularVersion,
  rollBackTabular,
  tabularModelExists,
  tabularVersions,
  type ProductionChange,
} from '../../platform/tabularRegistry.ts';
import { requireRole, type AuthEnv } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { BEARER, errors, json, requestProblem, router } from '../openapi.ts';
import { labelsOf } from '../../ml/tabular/evaluate.ts';
import { predictInstances, servingTabular, unknownTabularModel } from '../tabularPredictions.ts';
import {
  MAX_INSTANCES,
  ModelName,
  PredictRequest,
  PredictResponse,
  ProductionChangeResponse,
  RollbackRequest,
  TabularVersionSchema,
  VersionNumber,
} from '../tabularSchemas.ts';
import { readJson } from '../validation.ts';

const Params = z.object({ name: ModelName });

// Documented here, read by hand: a Python client's NaN is then a 400 naming its field.
const predict = createRoute({
  method: 'post',
  path: '/v1/models/{name}/predict',
  tags: ['models'],
  summary: `Predictions of a tabular model's production version for 1 to ${MAX_INSTANCES} instances`,
  description:
    "Each instance is an object of the training file's columns (raw values: the model's own cleaning, imputation, " +
    'encoding and scaling apply, as in training and batch scoring). Every column the model reads must be there; ' +
    'null means unknown and is filled in where the model imputes that column. A column the model does not have, ' +
    'a category it never saw, a value of the wrong type, NaN, an empty or too long list: 400 naming ' +
    '`instances.<i>.<column>`. Regression answers the value; binary classification the probability of the positive class, ' +
    "and the label at the version's threshold (power-user: chosen on the validation folds, stored with the version). " +
    "A version with history features (air-quality) also reads each instance's `history`, the readings of the hours " +
    'before it, newest first (see POST /air-quality/predict); without it a 400 names `instances.<i>.history`.',
  request: { params: Params, body: { ...json(PredictRequest, 'the instances'), required: true } },
  responses: {
    200: json(PredictResponse, 'one prediction per instance and the version that made them'),
    ...errors(400, 404, 409, 413),
  },
});

const ping = createRoute({
  method: 'get',
  path: '/v1/models/{name}/ping',
  tags: ['models'],
  summary:
    'Whether the model can predict: its production version, loaded (404 no such model; 409 none in production, or a preset not trained yet, the message naming what to run)',
  request: { params: Params },
  responses: {
    200: json(
      z.object({
        model: z.string(),
        ready: z.literal(true),
        version: z.number().int(),
        label: z.string(),
        learner: z.string(),
        run_id: z.string(),
      }),
      'ready',
    ),
    ...errors(400, 404, 409),
  },
});

const versions = createRoute({
  method: 'get',
  path: '/v1/models/{name}/versions',
  tags: ['models'],
  summary: "A tabular model's versions, newest first: label, stage, learner, metrics, run",
  request: { params: Params },
  responses: {
    200: json(
      z.object({
        model: z.string(),
        production: z.number().int().nullable(),
        versions: z.array(TabularVersionSchema),
      }),
      'the versions',
    ),
    ...errors(400, 404),
  },
});

const promote = createRoute({
  method: 'post',
  path: '/v1/models/{name}/versions/{version}/promote',
  tags: ['models'],
  security: BEARER,
  summary: 'Make a version production (promoting the production version again changes nothing); admin',
  request: { params: Params.extend({ version: VersionNumber }) },
  responses: {
    200: json(ProductionChangeResponse, 'the version is production; served from the next request on'),
    ...errors(400, 401, 403, 404),
  },
});

const rollback = createRoute({
  method: 'post',
  path: '/v1/models/{name}/rollback',
  tags: ['models'],
  security: BEARER,
  summary: 'Roll production back from version `from` to the version it replaced when promoted; admin',
  description:
    'Production goes back to the version that `from` took over from (GET versions shows it as `replaced`); rolling ' +
    'back again goes one more promotion back. Repeating the same request once it is done answers `changed: false`. ' +
    '409 when `from` is not production, or replaced no version.',
  request: { params: Params, body: { ...json(RollbackRequest, 'the production version to leave'), required: true } },
  responses: {
    200: json(ProductionChangeResponse, 'production is the earlier version; served from the next request on'),
    ...errors(400, 401, 403, 404, 409),
  },
});

/** The answer to a promotion or rollback, or its 404/409. */
function changed(name: string, change: ProductionChange, versionField: string) {
  switch (change.outcome) {
    case 'changed':
    case 'unchanged':
      return { model: name, version: change.version, changed: change.outcome === 'changed', replaced: change.replaced };
    case 'unknown_model':
      throw unknownTabularModel(name);
    case 'unknown_version':
      throw notFound(`model "${name}" has no version ${change.version}`, versionField);
    case 'not_production':
      throw new ApiError(
        409,
        'not_production',
        `version ${change.version} of "${name}" is not in production (${change.production === null ? 'no version is' : `version ${change.production} is`}): roll back from the production version`,
        versionField,
      );
    case 'nothing_earlier':
      throw new ApiError(
        409,
        'nothing_earlier',
        `version ${change.version} of "${name}" replaced no production version: there is nothing to roll back to (promote another version instead)`,
        versionField,
      );
  }
}

export function tabularModelRoutes({ pool, keys, models }: ApiDeps) {
  const routes = router<AuthEnv>();
  routes.openAPIRegistry.registerPath(predict);
  return routes
    .openapi(ping, async (c) => {
      const { name } = c.req.valid('param');
      const serving = await servingTabular(models, pool, name);
      return c.json(
        {
          model: name,
          ready: true as const,
          version: serving.version,
          label: serving.label,
          learner: serving.learner,
          run_id: serving.runId,
        },
        200,
      );
    })
    .openapi(versions, async (c) => {
      const { name } = c.req.valid('param');
      if (!(await tabularModelExists(pool, name))) throw unknownTabularModel(name);
      const listed = await tabularVersions(pool, name);
      return c.json(
        {
          model: name,
          production: listed.find((v) => v.stage === 'production')?.version ?? null,
          versions: listed.map((v) => ({
            version: v.version,
            label: v.params.label,
            stage: v.stage,
            learner: v.params.trial.learner,
            params: v.params.trial.params,
            metrics: v.metrics,
            run_id: v.runId,
            created_at: v.createdAt,
            promoted_at: v.promotedAt,
            replaced: v.replaced,
            rolled_back_at: v.rolledBackAt,
          })),
        },
        200,
      );
    })
    .openapi({ ...promote, middleware: [requireRole(keys, 'admin')] as const }, async (c) => {
      const { name, version } = c.req.valid('param');
      return c.json(changed(name, await promoteTabularVersion(pool, name, version), 'version'), 200);
    })
    .openapi({ ...rollback, middleware: [requireRole(keys, 'admin')] as const }, async (c) => {
      const { name } = c.req.valid('param');
      const { from } = c.req.valid('json');
      return c.json(changed(name, await rollBackTabular(pool, name, from), 'from'), 200);
    })
    .post('/v1/models/:name/predict', async (c) => {
      const name = ModelName.safeParse(c.req.param('name'));
      if (!name.success) throw requestProblem(name.error, 'name');
      const request = PredictRequest.safeParse(await readJson(c));
      if (!request.success) throw requestProblem(request.error, 'json');
      const serving = await servingTabular(models, pool, name.data);
      const predictions = predictInstances(serving, request.data.instances, (row, column) =>
        column ? `instances.${row}.${column}` : `instances.${row}`,
      );
      const { fitted } = serving;
      return c.json(
        {
          predictions,
          ...(fitted.model.task === 'binary'
            ? { labels: labelsOf(fitted, predictions), threshold: fitted.threshold ?? 0.5 }
            : {}),
          model: serving.name,
          model_version: serving.version,
          model_label: serving.label,
        },
        200,
      );
    });
}
