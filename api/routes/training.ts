// Training runs: start one, list them, follow one, cancel one.
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { Hono } from 'hono';
import { z } from 'zod';
import { isValidDate, PRODUCT_NAME } from '../../contracts/sales.ts';
import { DEFAULT_TRAINING, trainingProgressQuery, trainingRunId } from '../../contracts/training.ts';
import { addDays, todayIn } from '../../domain/dates.ts';
import { ENGINES, isEngineName } from '../../ml/forecast/engines.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { weeklyTraining } from '../../workflows/weeklyTraining.ts';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { parseBody, parseLimit } from '../validation.ts';

const TrainingBody = z.object({
  asOf: z.string({ error: 'must be a date YYYY-MM-DD' }).refine(isValidDate, { error: 'must be a real date YYYY-MM-DD' }).optional(),
  engine: z.string().default(DEFAULT_TRAINING.engine).refine(isEngineName, { error: `must be one of ${Object.keys(ENGINES).join(', ')}` }),
  windowDays: z.union([z.literal('full'), z.number().int().min(28).max(3660)], { error: 'must be a whole number of days from 28 to 3660, or "full"' })
    .default(DEFAULT_TRAINING.windowDays),
  products: z.array(z.string().regex(PRODUCT_NAME, { error: 'a product may use letters, digits, _ . - only' })).min(1).max(1000).optional(),
  shardSize: z.number().int().min(1).max(4096).default(DEFAULT_TRAINING.shardSize),
  concurrency: z.number().int().min(1).max(64).default(DEFAULT_TRAINING.concurrency),
  promotionMargin: z.number().min(0).max(10).default(DEFAULT_TRAINING.promotionMargin),
  backtestFolds: z.number().int().min(1).max(12).default(DEFAULT_TRAINING.backtestFolds),
  horizon: z.number().int().min(1).max(28).default(DEFAULT_TRAINING.horizon),
}).strict();

interface TrainingRunRow {
  run_id: string; status: string; as_of: string; engine: string; window_days: number | null; counts: unknown; metrics: unknown;
  error: string | null; started_at: Date; ended_at: Date | null;
}

export function trainingRoutes({ cfg, temporal, pool }: ApiDeps) {
  const admin = requireRole(cfg.api.keys, 'admin');
  const findRun = async (id: string) => {
    const { rows } = await pool.query<TrainingRunRow>('SELECT * FROM training_runs WHERE run_id = $1', [id]);
    if (!rows[0]) throw new ApiError(404, 'not_found', `no training run ${id}`);
    return rows[0];
  };

  return new Hono()
    .post('/v1/training-runs', admin, async (c) => {
      const body = await parseBody(c, TrainingBody);
      // Default: history up to yesterday where the stores are.
      const options = { ...body, asOf: body.asOf ?? addDays(todayIn(cfg.ingestTimeZone), -1) };
      const workflowId = trainingRunId(options);
      // A second start while the run is going joins it; after it ended, it reruns in place.
      const handle = await temporal.workflow.start<typeof weeklyTraining>('weeklyTraining', {
        workflowId, taskQueue: cfg.temporal.taskQueues.training, args: [options],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      return c.json({ workflowId, runId: handle.firstExecutionRunId, asOf: options.asOf, temporalUrl: workflowUrl(cfg.temporal, workflowId, handle.firstExecutionRunId) }, 202);
    })
    .get('/v1/training-runs', async (c) => {
      const limit = parseLimit(c);
      const { rows } = await pool.query<TrainingRunRow>('SELECT * FROM training_runs ORDER BY started_at DESC LIMIT $1', [limit]);
      return c.json({ runs: rows.map((r) => ({ ...r, temporalUrl: workflowUrl(cfg.temporal, r.run_id) })) });
    })
    .get('/v1/training-runs/:id', async (c) => {
      const run = await findRun(c.req.param('id'));
      const progress = run.ended_at ? undefined : await temporal.workflow.getHandle(run.run_id).query(trainingProgressQuery).catch(() => undefined);
      return c.json({ ...run, progress, temporalUrl: workflowUrl(cfg.temporal, run.run_id) });
    })
    .post('/v1/training-runs/:id/cancel', admin, async (c) => {
      const run = await findRun(c.req.param('id'));
      if (run.ended_at) throw new ApiError(409, 'conflict', `training run ${run.run_id} has ended already (${run.status})`);
      await temporal.workflow.getHandle(run.run_id).cancel();
      return c.json({ runId: run.run_id, cancelling: true }, 202);
    });
}
