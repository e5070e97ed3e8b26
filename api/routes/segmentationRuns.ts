// Segmentation runs: start one (admin), list them, follow one with its live progress.
import { createRoute, z } from '@hono/zod-openapi';
import { businessDate } from '../../contracts/dates.ts';
import {
  DEFAULT_SEGMENTATION,
  MAX_SEGMENTS,
  MIN_SEGMENTS,
  SEGMENTATION_RUN_PREFIX,
  segmentationProgressQuery,
  type SegmentationOptions,
} from '../../contracts/segmentation.ts';
import { currentRun, segmentationRun, segmentationRuns } from '../../platform/runs.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { customerSegmentation } from '../../workflows/customerSegmentation.ts';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { BEARER, errors, json, Limit, router, StartedSchema } from '../openapi.ts';
import { briefly, liveProgress } from '../temporalCalls.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';
import { SEGMENTATION_MODEL } from '../../contracts/segmentation.ts';
import { newRunId } from '../runIds.ts';

const SegmentCount = z.number().int().min(MIN_SEGMENTS).max(MAX_SEGMENTS);

const SegmentationBody = z
  .object({
    from: businessDate('past')
      .optional()
      .openapi({ description: 'transactions from the start of this day; default from the first' }),
    asOf: businessDate('past')
      .optional()
      .openapi({ description: 'transactions up to the end of this day; default up to the last' }),
    k: SegmentCount.optional().openapi({ description: 'fit only this k instead of choosing k by silhouette' }),
    kMin: SegmentCount.default(DEFAULT_SEGMENTATION.kMin),
    kMax: SegmentCount.default(DEFAULT_SEGMENTATION.kMax),
    restarts: z.number().int().min(1).max(100).default(DEFAULT_SEGMENTATION.restarts),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(DEFAULT_SEGMENTATION.seed),
    promotionMargin: z.number().min(0).max(2).default(DEFAULT_SEGMENTATION.promotionMargin),
  })
  .strict()
  .refine((o) => o.kMin <= o.kMax, { error: 'must not be above kMax', path: ['kMin'] })
  .refine((o) => o.from === undefined || o.asOf === undefined || o.from <= o.asOf, {
    error: 'must not be after asOf',
    path: ['from'],
  })
  .openapi('SegmentationOptions');

const SegmentationRun = z
  .object({
    run_id: z.string(),
    status: z.string(),
    stage: z.string(),
    as_of: z.string().nullable(),
    options: z.record(z.string(), z.unknown()),
    counts: z.record(z.string(), z.unknown()),
    snapshot: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'transactions exported, the cleaning counts, the snapshot date, customers' }),
    by_k: z
      .array(z.record(z.string(), z.unknown()))
      .nullable()
      .openapi({ description: 'each k fitted: inertia, silhouette, sizes' }),
    k: z.number().int().nullable(),
    model_version: z.number().int().nullable(),
    registration: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'the version, whether it was promoted and why, the customers that changed segment' }),
    error: z.string().nullable(),
    started_at: z.date(),
    ended_at: z.date().nullable(),
    temporalUrl: z.string(),
  })
  .openapi('SegmentationRun');

const RunId = z.object({ id: z.string().openapi({ example: `${SEGMENTATION_RUN_PREFIX}20261201T020000-1a2b` }) });

const start = createRoute({
  method: 'post',
  path: '/v1/segmentation-runs',
  tags: ['segments'],
  security: BEARER,
  summary: 'Start a customer segmentation run; admin',
  request: { body: { ...json(SegmentationBody, 'run options; all optional'), required: false } },
  responses: {
    202: json(StartedSchema, 'started'),
    ...errors(400, 401, 403, 409),
  },
});
const list = createRoute({
  method: 'get',
  path: '/v1/segmentation-runs',
  tags: ['segments'],
  summary: 'Segmentation runs, newest first',
  request: { query: z.object({ limit: Limit }) },
  responses: { 200: json(z.object({ runs: z.array(SegmentationRun) }), 'runs'), ...errors(400) },
});
const follow = createRoute({
  method: 'get',
  path: '/v1/segmentation-runs/{id}',
  tags: ['segments'],
  summary:
    'One segmentation run, with live progress (stage and counts) while it runs; one whose workflow closed without recording its end is settled',
  request: { params: RunId },
  responses: {
    200: json(
      SegmentationRun.extend({
        progress: z
          .object({ stage: z.string(), counts: z.record(z.string(), z.number()) })
          .optional()
          .openapi({ description: 'while running' }),
      }),
      'the run',
    ),
    ...errors(404),
  },
});

export function segmentationRunRoutes({ cfg, temporal, pool, keys }: ApiDeps) {
  const admin = requireRole(keys, 'admin');
  const shown = <R extends { run_id: string; workflow_run_id: string | null }>(r: R) => ({
    ...r,
    temporalUrl: workflowUrl(cfg.temporal, r.run_id, r.workflow_run_id ?? undefined),
  });

  return router()
    .openapi({ ...start, middleware: [admin] as const }, async (c) => {
      // Without a body nothing was parsed, defaults included.
      const options: SegmentationOptions = { ...DEFAULT_SEGMENTATION, ...c.req.valid('json') };
      // One run at a time: a second one would only wait for the registry, then compete with the first.
      const [latest] = await segmentationRuns(pool, 1);
      const running = latest && !latest.ended_at && (await currentRun(pool, temporal, latest.run_id));
      if (running && !running.ended_at)
        throw new ApiError(
          409,
          'conflict',
          `segmentation run ${running.id} is running; follow it at GET /v1/segmentation-runs/${running.id}`,
        );
      const workflowId = newRunId(SEGMENTATION_RUN_PREFIX);
      const handle = await temporal.workflow.start<typeof customerSegmentation>('customerSegmentation', {
        workflowId,
        taskQueue: cfg.temporal.taskQueues.training,
        args: [options],
        typedSearchAttributes: runSearchAttributes({
          pipeline: 'segmentation',
          model: SEGMENTATION_MODEL,
          asOf: options.asOf,
        }),
      });
      return c.json(
        {
          workflowId,
          runId: handle.firstExecutionRunId,
          temporalUrl: workflowUrl(cfg.temporal, workflowId, handle.firstExecutionRunId),
        },
        202,
      );
    })
    .openapi(list, async (c) => {
      const { limit } = c.req.valid('query');
      return c.json({ runs: (await segmentationRuns(pool, limit)).map(shown) }, 200);
    })
    .openapi(follow, async (c) => {
      const { id } = c.req.valid('param');
      let run = await segmentationRun(pool, id);
      if (!run) throw notFound(`no segmentation run ${id}`);
      // A run whose workflow closed without recording its end is settled first (when Temporal answers at once).
      if (!run.ended_at && (await briefly(temporal, () => currentRun(pool, temporal, id)))?.ended_at)
        run = (await segmentationRun(pool, id)) ?? run;
      const progress = run.ended_at ? undefined : await liveProgress(temporal, id, segmentationProgressQuery);
      return c.json({ ...shown(run), progress }, 200);
    });
}
