// Retrain one series on demand, and follow it.
import { WorkflowIdConflictPolicy, WorkflowNotFoundError } from '@temporalio/client';
import { Hono } from 'hono';
import { z } from 'zod';
import { retrainWorkflowId, type RetrainResult } from '../../contracts/retrain.ts';
import { DEFAULT_TRAINING } from '../../contracts/training.ts';
import { ENGINES, isEngineName } from '../../ml/forecast/engines.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { retrainSeries } from '../../workflows/retrainSeries.ts';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { parseProduct, parseStoreId, requireStore } from '../series.ts';
import { parseBody } from '../validation.ts';

const RetrainBody = z.object({
  engine: z.string().default(DEFAULT_TRAINING.engine).refine(isEngineName, { error: `must be one of ${Object.keys(ENGINES).join(', ')}` }),
  windowDays: z.number().int().min(28).max(3660).default(120),
}).strict();

export function retrainRoutes({ cfg, temporal, pool }: ApiDeps) {
  const admin = requireRole(cfg.api.keys, 'admin');
  return new Hono()
    .post('/v1/models/:store/:product/retrain', admin, async (c) => {
      const store = parseStoreId(c.req.param('store'), 'store');
      const product = parseProduct(c.req.param('product'), 'product');
      const body = await parseBody(c, RetrainBody, { optional: true });
      await requireStore(pool, store);
      // One id per series, joining a running one: a double click is one retrain.
      const handle = await temporal.workflow.start<typeof retrainSeries>('retrainSeries', {
        workflowId: retrainWorkflowId(store, product), taskQueue: cfg.temporal.taskQueues.interactive,
        args: [{ storeId: store, product, engine: body.engine, windowDays: body.windowDays }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      return c.json({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, temporalUrl: workflowUrl(cfg.temporal, handle.workflowId, handle.firstExecutionRunId) }, 202);
    })
    .get('/v1/retrains/:workflowId', async (c) => {
      const id = c.req.param('workflowId');
      if (!id.startsWith('retrain-')) throw new ApiError(404, 'not_found', `no retrain ${id}`);
      const handle = temporal.workflow.getHandle(id);
      const description = await handle.describe().catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) throw new ApiError(404, 'not_found', `no retrain ${id}`);
        throw err;
      });
      const status = description.status.name;
      const result = status === 'COMPLETED' ? await handle.result() as RetrainResult : undefined;
      return c.json({ workflowId: id, runId: description.runId, status, result, temporalUrl: workflowUrl(cfg.temporal, id, description.runId) });
    });
}
