// Ingest runs: start one day, backfill a range, list runs and follow one.
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { Hono } from 'hono';
import { z } from 'zod';
import {
  backfillProgressQuery, backfillWorkflowId, dailyIngestWorkflowId, MAX_BACKFILL_DAYS, progressQuery,
} from '../../contracts/ingest.ts';
import { isValidDate } from '../../contracts/sales.ts';
import { datesBetween, todayUtc } from '../../domain/dates.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { backfillIngest } from '../../workflows/backfillIngest.ts';
import type { dailyIngest } from '../../workflows/dailyIngest.ts';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { parseBody, parseLimit } from '../validation.ts';

const pastDate = z.string({ error: 'must be a date YYYY-MM-DD' })
  .refine(isValidDate, { error: 'must be a real date YYYY-MM-DD' })
  .refine((d) => d <= todayUtc(), { error: 'must not be in the future' });

const RunBody = z.object({ date: pastDate }).strict();
const BackfillBody = z.object({
  from: pastDate,
  to: pastDate,
  concurrency: z.number().int().min(1).max(32, { error: 'must be at most 32' }).default(4),
}).strict()
  .refine((b) => b.from <= b.to, { error: 'must not be before from', path: ['to'] })
  .refine((b) => datesBetween(b.from, b.to).length <= MAX_BACKFILL_DAYS, { error: `covers more than ${MAX_BACKFILL_DAYS} days`, path: ['to'] });

interface IngestRunRow {
  run_id: string; kind: string; sale_date: string | null; status: string; counts: unknown; durations_ms: unknown;
  error: string | null; started_at: Date; ended_at: Date | null;
}

export function ingestRoutes({ cfg, temporal, pool }: ApiDeps) {
  const started = (workflowId: string, runId: string) =>
    ({ workflowId, runId, temporalUrl: workflowUrl(cfg.temporal, workflowId, runId) });
  const writer = requireRole(cfg.api.keys, 'write');

  return new Hono()
    .post('/v1/ingest/runs', writer, async (c) => {
      const { date } = await parseBody(c, RunBody);
      // The date is the id: a second start while one runs joins it; after it ends, it reruns the day.
      const handle = await temporal.workflow.start<typeof dailyIngest>('dailyIngest', {
        workflowId: dailyIngestWorkflowId(date), taskQueue: cfg.temporal.taskQueues.ingest, args: [{ date }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      return c.json(started(handle.workflowId, handle.firstExecutionRunId), 202);
    })
    .post('/v1/ingest/backfill', writer, async (c) => {
      const { from, to, concurrency } = await parseBody(c, BackfillBody);
      const handle = await temporal.workflow.start<typeof backfillIngest>('backfillIngest', {
        workflowId: backfillWorkflowId(from, to), taskQueue: cfg.temporal.taskQueues.ingest, args: [{ from, to, concurrency }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      return c.json({ ...started(handle.workflowId, handle.firstExecutionRunId), days: datesBetween(from, to).length }, 202);
    })
    .get('/v1/ingest/runs', async (c) => {
      const limit = parseLimit(c);
      const { rows } = await pool.query<IngestRunRow>('SELECT * FROM ingest_runs ORDER BY started_at DESC LIMIT $1', [limit]);
      return c.json({ runs: rows.map((r) => ({ ...r, temporalUrl: workflowUrl(cfg.temporal, r.run_id) })) });
    })
    .get('/v1/ingest/runs/:id', async (c) => {
      const id = c.req.param('id');
      if (id.startsWith('ingest-backfill-')) {
        const handle = temporal.workflow.getHandle(id);
        const description = await handle.describe().catch(() => undefined);
        if (!description) throw new ApiError(404, 'not_found', `no backfill ${id}`);
        const progress = await handle.query(backfillProgressQuery).catch(() => undefined);
        return c.json({ runId: id, kind: 'backfill', status: description.status.name, progress, temporalUrl: workflowUrl(cfg.temporal, id) });
      }
      const { rows } = await pool.query<IngestRunRow>('SELECT * FROM ingest_runs WHERE run_id = $1', [id]);
      const run = rows[0];
      if (!run) throw new ApiError(404, 'not_found', `no ingest run ${id}`);
      const live = run.ended_at ? undefined : await temporal.workflow.getHandle(id).query(progressQuery).catch(() => undefined);
      return c.json({ ...run, progress: live, temporalUrl: workflowUrl(cfg.temporal, id) });
    });
}
