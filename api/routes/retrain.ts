// Retrain one series on demand, and follow it.
import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowIdConflictPolicy, WorkflowNotFoundError } from '@temporalio/client';
import { DEFAULT_RETRAIN_WINDOW_DAYS, retrainWorkflowId, type RetrainResult } from '../../contracts/retrain.ts';
import { DEFAULT_TRAINING, forecastModelName } from '../../contracts/training.ts';
import { ENGINES, isEngineName } from '../../ml/forecast/engines.ts';
import { failureReason, workflowUrl } from '../../platform/temporal.ts';
import type { retrainSeries } from '../../workflows/retrainSeries.ts';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { BEARER, errors, json, ProductName, router, StartedSchema, StoreId } from '../openapi.ts';
import { perKeyPerMinute } from '../rateLimit.ts';
import { requireStore } from '../series.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';

const RetrainBody = z
  .object({
    engine: z
      .string()
      .refine(isEngineName, { error: `must be one of ${Object.keys(ENGINES).join(', ')}` })
      .optional()
      .openapi({ example: DEFAULT_TRAINING.engine, description: `default ${DEFAULT_TRAINING.engine}` }),
    windowDays: z
      .number()
      .int()
      .min(28)
      .max(3660)
      .optional()
      .openapi({ example: 120, description: `days of history to fit; default ${DEFAULT_RETRAIN_WINDOW_DAYS}` }),
  })
  .strict()
  .openapi('RetrainOptions');

const startRetrain = createRoute({
  method: 'post',
  path: '/v1/models/{store}/{product}/retrain',
  tags: ['models'],
  security: BEARER,
  summary: 'Retrain one series now; a second call while one runs joins it; admin, rate-limited per key',
  request: {
    params: z.object({ store: StoreId, product: ProductName }),
    body: { ...json(RetrainBody, 'optional; every field has a default'), required: false },
  },
  responses: { 202: json(StartedSchema, 'started (or joined)'), ...errors(400, 401, 403, 404, 429) },
});

const RetrainResultSchema = z.union([
  z.object({
    storeId: z.number().int(),
    product: z.string(),
    trained: z.literal(true),
    model: z.string(),
    version: z.number().int(),
    promoted: z.boolean(),
    promotionReason: z.string(),
    metrics: z.record(z.string(), z.unknown()),
    asOf: z.string(),
  }),
  z.object({ storeId: z.number().int(), product: z.string(), trained: z.literal(false), reason: z.string() }),
]);

const followRetrain = createRoute({
  method: 'get',
  path: '/v1/retrains/{workflowId}',
  tags: ['models'],
  summary: "A retrain's status, then its new version, metrics and promotion",
  request: { params: z.object({ workflowId: z.string().openapi({ example: 'retrain-1-all' }) }) },
  responses: {
    200: json(
      z.object({
        workflowId: z.string(),
        runId: z.string(),
        status: z.string().openapi({ example: 'COMPLETED' }),
        result: RetrainResultSchema.optional(),
        error: z.string().optional().openapi({ description: 'why a failed retrain failed (its innermost cause)' }),
        temporalUrl: z.string(),
      }),
      'the retrain',
    ),
    ...errors(404),
  },
});

export function retrainRoutes({ cfg, temporal, pool, keys }: ApiDeps) {
  const admin = requireRole(keys, 'admin');
  return router()
    .openapi(
      { ...startRetrain, middleware: [admin, perKeyPerMinute('retrains', cfg.api.retrainsPerMinute)] as const },
      async (c) => {
        const { store, product } = c.req.valid('param');
        const { engine = DEFAULT_TRAINING.engine, windowDays = DEFAULT_RETRAIN_WINDOW_DAYS } = c.req.valid('json');
        await requireStore(pool, store);
        // One id per series, joining a running one: a double click is one retrain.
        const handle = await temporal.workflow.start<typeof retrainSeries>('retrainSeries', {
          workflowId: retrainWorkflowId(store, product),
          taskQueue: cfg.temporal.taskQueues.interactive,
          args: [{ storeId: store, product, engine, windowDays }],
          typedSearchAttributes: runSearchAttributes({
            pipeline: 'retrain',
            store,
            model: forecastModelName(store, product),
          }),
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        });
        return c.json(
          {
            workflowId: handle.workflowId,
            runId: handle.firstExecutionRunId,
            temporalUrl: workflowUrl(cfg.temporal, handle.workflowId, handle.firstExecutionRunId),
          },
          202,
        );
      },
    )
    .openapi(followRetrain, async (c) => {
      const { workflowId: id } = c.req.valid('param');
      if (!id.startsWith('retrain-')) throw notFound(`no retrain ${id}`);
      const handle = temporal.workflow.getHandle(id);
      const description = await handle.describe().catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) throw notFound(`no retrain ${id}`);
        throw err;
      });
      const status = description.status.name;
      const result = status === 'COMPLETED' ? ((await handle.result()) as RetrainResult) : undefined;
      const error = status === 'FAILED' ? await handle.result().then(() => undefined, failureReason) : undefined;
      return c.json(
        {
          workflowId: id,
          runId: description.runId,
          status,
          result,
          error,
          temporalUrl: workflowUrl(cfg.temporal, id, description.runId),
        },
        200,
      );
    });
}
