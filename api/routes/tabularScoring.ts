// Batch predictions of tabular models: start a scoring (the tabularBatchScoring workflow) of a CSV
// in the project bucket or a table, follow it, and read a dataset's stored predictions a page at a time.
import { createRoute, z } from '@hono/zod-openapi';
import { newImportId } from '../../contracts/imports.ts';
import { TABULAR_MODELS } from '../../contracts/tabular.ts';
import {
  TABULAR_SCORING_PREFIX,
  scoringDataset,
  tabularScoringProgressQuery,
  tabularScoringWorkflowId,
} from '../../contracts/tabularScoring.ts';
import { scoringVersion, storedPredictions } from '../../platform/tabularPredictions.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { tabularBatchScoring } from '../../workflows/tabularBatchScoring.ts';
import { requireRole } from '../auth.ts';
import { checkBucketObject } from '../bucketObjects.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { TabularSource } from '../tabularSchemas.ts';
import { BEARER, errors, json, Limit, router, StartedSchema } from '../openapi.ts';
import { workflowState } from '../temporalCalls.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';

const Model = z
  .enum(TABULAR_MODELS, { error: `must be one of ${TABULAR_MODELS.join(', ')}` })
  .openapi({ example: 'bigmart' });
const BatchPredictionBody = z
  .object({
    model: Model,
    source: TabularSource,
    version: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: 'the version to score with; the production one when absent' }),
  })
  .strict()
  .openapi('BatchPredictionRequest');

const Started = StartedSchema.extend({
  dataset: z.string().openapi({ description: 'what the predictions are stored under' }),
  links: z.object({
    self: z.string().openapi({ description: 'GET it for progress, then the counts' }),
    predictions: z.string().openapi({ description: "GET it for the dataset's predictions" }),
  }),
}).openapi('BatchPredictionStarted');

const Counts = {
  read: z.number().int(),
  scored: z.number().int(),
  rejected: z.number().int(),
  written: z.number().int().openapi({ description: 'predictions Postgres did not hold yet: 0 on a rerun' }),
  warehouse: z.number().int().openapi({ description: "the dataset and version's rows in BigQuery" }),
};

const BatchPredictionState = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    status: z.string().openapi({ example: 'COMPLETED' }),
    progress: z
      .object({
        stage: z.enum(['resolving', 'scoring', 'warehousing', 'reconciling', 'done']),
        version: z.number().int().nullable(),
        counts: z.object(Counts),
      })
      .optional()
      .openapi({ description: 'while it runs' }),
    result: z.record(z.string(), z.unknown()).optional().openapi({
      description:
        'when completed: model, version, dataset, read, scored, rejected, written (new or changed), warehouse (rows in BigQuery), rejectedSource (rejected_rows.source of the rejected rows, with their reasons)',
    }),
    error: z.string().optional().openapi({ description: 'when it failed' }),
    temporalUrl: z.string(),
  })
  .openapi('BatchPrediction');

type PredictionCursor = { version: number; key: string };
const cursorOf = (c: PredictionCursor): string => Buffer.from(JSON.stringify([c.version, c.key])).toString('base64url');
const Cursor = z
  .string()
  .optional()
  .transform((v, ctx): PredictionCursor | undefined => {
    if (v === undefined) return undefined;
    try {
      const [version, key] = JSON.parse(Buffer.from(v, 'base64url').toString()) as unknown[];
      if (Number.isInteger(version) && typeof key === 'string') return { version: version as number, key };
    } catch {
      /* answered below */
    }
    ctx.addIssue({ code: 'custom', message: `must be a cursor from a previous page's "next", got "${v}"` });
    return z.NEVER;
  })
  .openapi({ type: 'string', description: 'the `next` of the previous page' });

const start = createRoute({
  method: 'post',
  path: '/v1/batch-predictions',
  tags: ['models'],
  security: BEARER,
  summary:
    "Score a dataset with a tabular model's production (or given) version (the tabularBatchScoring workflow): predictions to Postgres and BigQuery, bad rows kept with their reasons, a rerun writes nothing new; write",
  request: { body: { ...json(BatchPredictionBody, 'the model and the rows'), required: true } },
  responses: { 202: json(Started, 'started'), ...errors(400, 401, 403, 404, 409) },
});

const follow = createRoute({
  method: 'get',
  path: '/v1/batch-predictions/{id}',
  tags: ['models'],
  summary: 'A batch scoring: its stage and counts while it runs, then rows read, scored and rejected',
  request: { params: z.object({ id: z.string().openapi({ example: 'tabular-scoring-20261202T080000-a1b2c3' }) }) },
  responses: { 200: json(BatchPredictionState, 'the scoring'), ...errors(404) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/predictions',
  tags: ['models'],
  summary: "A dataset's batch predictions by version and row key, a page at a time",
  request: {
    query: z.object({
      model: Model,
      dataset: z.string().min(1).openapi({
        example: 'gs://retailflow-local/bigmart/Test.csv',
        description: 'the CSV URI, or postgres:<table>, bigquery:<table>',
      }),
      version: z
        .string()
        .regex(/^[1-9]\d*$/, { error: 'must be a version number' })
        .transform(Number)
        .optional()
        .openapi({ description: 'one version only' }),
      limit: Limit,
      cursor: Cursor,
    }),
  },
  responses: {
    200: json(
      z.object({
        predictions: z.array(
          z.object({
            version: z.number().int(),
            key: z.string().openapi({ example: 'FDW58/OUT049' }),
            prediction: z.number(),
            createdAt: z.string(),
          }),
        ),
        next: z.string().optional().openapi({ description: 'cursor of the next page, when there is one' }),
      }),
      'one page of predictions',
    ),
    ...errors(400),
  },
});

export function tabularScoringRoutes({ cfg, temporal, pool, store, keys }: ApiDeps) {
  const writer = requireRole(keys, 'write');
  return router()
    .openapi({ ...start, middleware: [writer] as const }, async (c) => {
      const input = c.req.valid('json');
      if (input.source.kind === 'csv') await checkBucketObject(store, 'source.uri', input.source.uri);
      if (!(await scoringVersion(pool, input.model, input.version))) {
        if (input.version !== undefined) throw notFound(`${input.model} has no version ${input.version}`, 'version');
        throw new ApiError(
          409,
          'conflict',
          `${input.model} has no production version: train one first (POST /v1/tabular-runs, or npm run data -- train-bigmart)`,
          'model',
        );
      }
      const handle = await temporal.workflow.start<typeof tabularBatchScoring>('tabularBatchScoring', {
        workflowId: tabularScoringWorkflowId(newImportId()),
        taskQueue: cfg.temporal.taskQueues.training,
        args: [input],
        typedSearchAttributes: runSearchAttributes({ pipeline: 'tabular-scoring', model: input.model }),
      });
      const dataset = scoringDataset(input.source);
      return c.json(
        {
          workflowId: handle.workflowId,
          runId: handle.firstExecutionRunId,
          temporalUrl: workflowUrl(cfg.temporal, handle.workflowId, handle.firstExecutionRunId),
          dataset,
          links: {
            self: `/v1/batch-predictions/${handle.workflowId}`,
            predictions: `/v1/predictions?model=${input.model}&dataset=${encodeURIComponent(dataset)}`,
          },
        },
        202,
      );
    })
    .openapi(follow, async (c) => {
      const { id } = c.req.valid('param');
      if (!id.startsWith(TABULAR_SCORING_PREFIX)) throw notFound(`no batch prediction ${id}`, 'id');
      return c.json(
        await workflowState(temporal, cfg.temporal, id, tabularScoringProgressQuery, 'batch prediction'),
        200,
      );
    })
    .openapi(list, async (c) => {
      const { model, dataset, version, limit, cursor } = c.req.valid('query');
      const rows = await storedPredictions(pool, {
        model,
        dataset,
        limit: limit + 1,
        ...(version !== undefined ? { version } : {}),
        ...(cursor ? { after: cursor } : {}),
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return c.json(
        {
          predictions: page.map((p) => ({ ...p, createdAt: p.createdAt.toISOString() })),
          ...(rows.length > limit && last ? { next: cursorOf(last) } : {}),
        },
        200,
      );
    });
}
