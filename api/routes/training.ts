// Training runs: start one, list them, follow one, cancel one.
import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { businessDate } from '../../contracts/dates.ts';
import { PRODUCT_NAME } from '../../domain/sales.ts';
import {
  DEFAULT_TRAINING,
  GLOBAL_NEEDS_FAST,
  MAX_TRAINING_CONCURRENCY,
  trainingProgressQuery,
  trainingRunId,
} from '../../contracts/training.ts';
import { dayBeforeIn } from '../../domain/dates.ts';
import { ENGINES, isEngineName } from '../../ml/forecast/engines.ts';
import { currentRun, trainingRun, weeklyTrainingRuns } from '../../platform/runs.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { weeklyTraining } from '../../workflows/weeklyTraining.ts';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { BEARER, errors, json, Limit, router, StartedSchema } from '../openapi.ts';
import { liveProgress } from '../temporalCalls.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';
import { SALES_FORECAST_MODELS } from '../../contracts/training.ts';

const TrainingBody = z
  .object({
    asOf: businessDate('past')
      .optional()
      .openapi({ description: 'last day of history; default yesterday in INGEST_TIMEZONE' }),
    engine: z
      .string()
      .default(DEFAULT_TRAINING.engine)
      .refine(isEngineName, { error: `must be one of ${Object.keys(ENGINES).join(', ')}` }),
    windowDays: z
      .union([z.literal('full'), z.number().int().min(28).max(3660)], {
        error: 'must be a whole number of days from 28 to 3660, or "full"',
      })
      .default(DEFAULT_TRAINING.windowDays),
    products: z
      .array(z.string().regex(PRODUCT_NAME, { error: 'a product may use letters, digits, _ . - only' }))
      .min(1)
      .max(1000)
      .optional(),
    shardSize: z.number().int().min(1).max(4096).default(DEFAULT_TRAINING.shardSize),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(MAX_TRAINING_CONCURRENCY, { error: `must be at most ${MAX_TRAINING_CONCURRENCY}` })
      .default(DEFAULT_TRAINING.concurrency),
    promotionMargin: z.number().min(0).max(10).default(DEFAULT_TRAINING.promotionMargin),
    backtestFolds: z.number().int().min(1).max(12).default(DEFAULT_TRAINING.backtestFolds),
    horizon: z.number().int().min(1).max(28).default(DEFAULT_TRAINING.horizon),
    global: z.boolean().optional(),
  })
  .strict()
  .refine((o) => !o.global || o.engine === 'fast', {
    path: ['global'],
    error: (issue) => GLOBAL_NEEDS_FAST(String((issue.input as { engine?: unknown }).engine)),
  })
  .openapi('TrainingOptions');

const TrainingRun = z
  .object({
    run_id: z.string(),
    status: z.string(),
    // Null for a retrain that failed before it knew its series' last day (a series with no sales).
    as_of: z.string().nullable(),
    engine: z.string(),
    window_days: z.number().int().nullable(),
    counts: z.unknown(),
    metrics: z.unknown(),
    error: z.string().nullable(),
    started_at: z.date(),
    ended_at: z.date().nullable(),
    temporalUrl: z.string(),
  })
  .openapi('TrainingRun');

const RunId = z.object({ id: z.string().openapi({ example: 'weekly-training-2026-11-22' }) });

const start = createRoute({
  method: 'post',
  path: '/v1/training-runs',
  tags: ['training'],
  security: BEARER,
  summary: 'Start a weekly training run (a second start while it runs joins it); admin',
  request: { body: { ...json(TrainingBody, 'run options; all optional'), required: false } },
  responses: { 202: json(StartedSchema.extend({ asOf: z.string() }), 'started (or joined)'), ...errors(400, 401, 403) },
});
const list = createRoute({
  method: 'get',
  path: '/v1/training-runs',
  tags: ['training'],
  summary: 'Weekly training runs, newest first',
  request: { query: z.object({ limit: Limit }) },
  responses: { 200: json(z.object({ runs: z.array(TrainingRun) }), 'runs'), ...errors(400) },
});
const follow = createRoute({
  method: 'get',
  path: '/v1/training-runs/{id}',
  tags: ['training'],
  summary: 'One run, with live progress while it runs',
  request: { params: RunId },
  responses: {
    200: json(
      TrainingRun.extend({
        progress: z
          .record(z.string(), z.unknown())
          .optional()
          .openapi({ description: 'done/total, series/s, ETA; while running' }),
      }),
      'the run',
    ),
    ...errors(404),
  },
});
const cancel = createRoute({
  method: 'post',
  path: '/v1/training-runs/{id}/cancel',
  tags: ['training'],
  security: BEARER,
  summary: 'Cancel a running run; admin',
  request: { params: RunId },
  responses: {
    202: json(z.object({ runId: z.string(), cancelling: z.literal(true) }), 'cancelling'),
    ...errors(401, 403, 404, 409),
  },
});

export function trainingRoutes({ cfg, temporal, pool, keys }: ApiDeps) {
  const admin = requireRole(keys, 'admin');
  const findRun = async (id: string) => {
    const run = await trainingRun(pool, id);
    if (!run) throw notFound(`no training run ${id}`);
    return run;
  };

  return router()
    .openapi({ ...start, middleware: [admin] as const }, async (c) => {
      const body = c.req.valid('json');
      // Default: history up to yesterday where the stores are.
      const options = { ...body, asOf: body.asOf ?? dayBeforeIn(cfg.ingestTimeZone) };
      const workflowId = trainingRunId(options);
      // A second start while the run is going joins it; after it ended, it reruns in place.
      const handle = await temporal.workflow.start<typeof weeklyTraining>('weeklyTraining', {
        workflowId,
        taskQueue: cfg.temporal.taskQueues.training,
        args: [options],
        typedSearchAttributes: runSearchAttributes({
          pipeline: 'training',
          model: SALES_FORECAST_MODELS,
          asOf: options.asOf,
        }),
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      return c.json(
        {
          workflowId,
          runId: handle.firstExecutionRunId,
          asOf: options.asOf,
          temporalUrl: workflowUrl(cfg.temporal, workflowId, handle.firstExecutionRunId),
        },
        202,
      );
    })
    .openapi(list, async (c) => {
      const { limit } = c.req.valid('query');
      // Retrains are runs too, listed by GET /v1/runs?kind=retrain.
      const rows = await weeklyTrainingRuns(pool, limit);
      return c.json({ runs: rows.map((r) => ({ ...r, temporalUrl: workflowUrl(cfg.temporal, r.run_id) })) }, 200);
    })
    .openapi(follow, async (c) => {
      const run = await findRun(c.req.valid('param').id);
      const progress = run.ended_at ? undefined : await liveProgress(temporal, run.run_id, trainingProgressQuery);
      return c.json({ ...run, progress, temporalUrl: workflowUrl(cfg.temporal, run.run_id) }, 200);
    })
    .openapi({ ...cancel, middleware: [admin] as const }, async (c) => {
      const { id } = c.req.valid('param');
      // Settled first: a run whose workflow closed without recording its end has ended, however its row reads.
      const run = await currentRun(pool, temporal, id);
      if (!run || (run.kind !== 'training' && run.kind !== 'retrain')) throw notFound(`no training run ${id}`);
      if (run.ended_at) throw new ApiError(409, 'conflict', `training run ${id} has ended already (${run.status})`);
      await temporal.workflow.getHandle(run.workflow_id, run.workflow_run_id ?? undefined).cancel();
      return c.json({ runId: id, cancelling: true as const }, 202);
    });
}
