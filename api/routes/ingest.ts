// Ingest runs: start one day, backfill a range, list runs, follow one, cancel one.
import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowIdConflictPolicy, WorkflowNotFoundError } from '@temporalio/client';
import {
  backfillProgressQuery,
  backfillWorkflowId,
  dailyIngestWorkflowId,
  isIngestWorkflowId,
  MAX_BACKFILL_CONCURRENCY,
  MAX_BACKFILL_DAYS,
  progressQuery,
} from '../../contracts/ingest.ts';
import { businessDate } from '../../contracts/dates.ts';
import { datesBetween, daysBetween } from '../../domain/dates.ts';
import { currentRun, findRun, ingestRun, ingestRuns } from '../../platform/runs.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { backfillIngest } from '../../workflows/backfillIngest.ts';
import type { dailyIngest } from '../../workflows/dailyIngest.ts';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { BEARER, errors, json, Limit, router, StartedSchema } from '../openapi.ts';
import { liveProgress } from '../temporalCalls.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';

const pastDate = businessDate('past');

const RunBody = z
  .object({ date: pastDate.openapi({ example: '2026-11-22' }) })
  .strict()
  .openapi('IngestDay');
const BackfillBody = z
  .object({
    from: pastDate,
    to: pastDate,
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(MAX_BACKFILL_CONCURRENCY, { error: `must be at most ${MAX_BACKFILL_CONCURRENCY}` })
      .default(4),
  })
  .strict()
  .refine((b) => b.from <= b.to, { error: 'must not be before from', path: ['to'] })
  .refine((b) => daysBetween(b.from, b.to) < MAX_BACKFILL_DAYS, {
    error: `covers more than ${MAX_BACKFILL_DAYS} days`,
    path: ['to'],
  })
  .openapi('IngestBackfill');

const IngestRun = z
  .object({
    run_id: z.string(),
    kind: z.string(),
    sale_date: z.string().nullable(),
    status: z.string(),
    counts: z.unknown(),
    durations_ms: z.unknown(),
    error: z.string().nullable(),
    started_at: z.date(),
    ended_at: z.date().nullable(),
    temporalUrl: z.string(),
    warning: z.string().nullable().openapi({ description: 'set when the day ended without landing anything' }),
    backfill_id: z.string().nullable().openapi({ description: 'the backfill this day belongs to' }),
  })
  .openapi('IngestRun');
const Progress = z
  .record(z.string(), z.unknown())
  .optional()
  .openapi({ description: 'stage and counts (a backfill: days done), while running' });

const startDay = createRoute({
  method: 'post',
  path: '/v1/ingest/runs',
  tags: ['ingest'],
  security: BEARER,
  summary:
    'Ingest one day of staged sales events (a second start while it runs joins it; after, it reruns the day); write',
  request: { body: { ...json(RunBody, 'the day'), required: true } },
  responses: { 202: json(StartedSchema, 'started (or joined)'), ...errors(400, 401, 403) },
});
const startBackfill = createRoute({
  method: 'post',
  path: '/v1/ingest/backfill',
  tags: ['ingest'],
  security: BEARER,
  summary: `Ingest every day of a range, concurrency days at a time (at most ${MAX_BACKFILL_DAYS} days); write`,
  request: { body: { ...json(BackfillBody, 'the range'), required: true } },
  responses: {
    202: json(StartedSchema.extend({ days: z.number().int() }), 'started (or joined)'),
    ...errors(400, 401, 403),
  },
});
const list = createRoute({
  method: 'get',
  path: '/v1/ingest/runs',
  tags: ['ingest'],
  summary: 'Ingest runs, newest first',
  request: { query: z.object({ limit: Limit }) },
  responses: { 200: json(z.object({ runs: z.array(IngestRun) }), 'runs'), ...errors(400) },
});
const follow = createRoute({
  method: 'get',
  path: '/v1/ingest/runs/{id}',
  tags: ['ingest'],
  summary: 'One ingest run or backfill, with live progress while it runs',
  request: { params: z.object({ id: z.string().openapi({ example: 'daily-ingest-2026-11-22' }) }) },
  responses: {
    200: json(
      z.union([
        IngestRun.extend({ progress: Progress }),
        z.object({
          runId: z.string(),
          kind: z.literal('backfill'),
          status: z.string(),
          progress: Progress,
          temporalUrl: z.string(),
        }),
      ]),
      'the run',
    ),
    ...errors(404),
  },
});

const cancel = createRoute({
  method: 'post',
  path: '/v1/ingest/runs/{id}/cancel',
  tags: ['ingest'],
  security: BEARER,
  summary:
    'Cancel a running day or backfill: a backfill cancels its days in flight, starts no more and records the rest as cancelled; write',
  request: { params: z.object({ id: z.string().openapi({ example: 'ingest-backfill-2026-01-01-2026-01-31' }) }) },
  responses: {
    202: json(z.object({ runId: z.string(), cancelling: z.literal(true) }), 'cancelling'),
    ...errors(401, 403, 404, 409),
  },
});

export function ingestRoutes({ cfg, temporal, pool, keys }: ApiDeps) {
  const started = (workflowId: string, runId: string) => ({
    workflowId,
    runId,
    temporalUrl: workflowUrl(cfg.temporal, workflowId, runId),
  });
  const writer = requireRole(keys, 'write');
  const isOpen = (id: string) =>
    temporal.workflow
      .getHandle(id)
      .describe()
      .then(
        (d) => d.status.name === 'RUNNING',
        (err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return false;
          throw err;
        },
      );

  return router()
    .openapi({ ...startDay, middleware: [writer] as const }, async (c) => {
      const { date } = c.req.valid('json');
      // The date is the id: a second start while one runs joins it; after it ends, it reruns the day.
      const handle = await temporal.workflow.start<typeof dailyIngest>('dailyIngest', {
        workflowId: dailyIngestWorkflowId(date),
        taskQueue: cfg.temporal.taskQueues.ingest,
        args: [{ date }],
        typedSearchAttributes: runSearchAttributes({ pipeline: 'ingest', asOf: date }),
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      return c.json(started(handle.workflowId, handle.firstExecutionRunId), 202);
    })
    .openapi({ ...startBackfill, middleware: [writer] as const }, async (c) => {
      const { from, to, concurrency } = c.req.valid('json');
      const handle = await temporal.workflow.start<typeof backfillIngest>('backfillIngest', {
        workflowId: backfillWorkflowId(from, to),
        taskQueue: cfg.temporal.taskQueues.ingest,
        args: [{ from, to, concurrency }],
        typedSearchAttributes: runSearchAttributes({ pipeline: 'backfill', asOf: from }),
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      return c.json(
        { ...started(handle.workflowId, handle.firstExecutionRunId), days: datesBetween(from, to).length },
        202,
      );
    })
    .openapi(list, async (c) => {
      const { limit } = c.req.valid('query');
      const rows = await ingestRuns(pool, limit);
      return c.json({ runs: rows.map((r) => ({ ...r, temporalUrl: workflowUrl(cfg.temporal, r.run_id) })) }, 200);
    })
    .openapi({ ...cancel, middleware: [writer] as const }, async (c) => {
      const { id } = c.req.valid('param');
      // Settled first: a run whose workflow closed without recording its end has ended, however its row reads.
      const run = await currentRun(pool, temporal, id);
      const ingest = run && (run.kind === 'daily' || run.kind === 'backfill' || run.kind === 'import');
      // A day or backfill started a moment ago may not have written its row yet: Temporal knows it.
      if (!ingest && !(isIngestWorkflowId(id) && (await isOpen(id)))) throw notFound(`no ingest run ${id}`);
      if (run?.kind === 'import')
        throw new ApiError(409, 'conflict', `ingest run ${id} is an import: it runs no workflow to cancel`);
      if (run?.ended_at) throw new ApiError(409, 'conflict', `ingest run ${id} has ended already (${run.status})`);
      await temporal.workflow.getHandle(id).cancel();
      return c.json({ runId: id, cancelling: true as const }, 202);
    })
    .openapi(follow, async (c) => {
      const { id } = c.req.valid('param');
      if (id.startsWith('ingest-backfill-')) {
        // Its row, with live progress while Temporal answers; Temporal alone for one started a moment ago.
        const row = await findRun(pool, id);
        const status =
          row?.status ??
          (await temporal.workflow
            .getHandle(id)
            .describe()
            .then(
              (d) => d.status.name.toLowerCase(),
              (err: unknown) => {
                if (err instanceof WorkflowNotFoundError) throw notFound(`no backfill ${id}`);
                throw err;
              },
            ));
        const progress = row?.ended_at
          ? row.counts
          : ((await liveProgress(temporal, id, backfillProgressQuery)) ?? row?.counts);
        return c.json(
          { runId: id, kind: 'backfill' as const, status, progress, temporalUrl: workflowUrl(cfg.temporal, id) },
          200,
        );
      }
      const run = await ingestRun(pool, id);
      if (!run) throw notFound(`no ingest run ${id}`);
      const live = run.ended_at ? undefined : await liveProgress(temporal, id, progressQuery);
      return c.json({ ...run, progress: live, temporalUrl: workflowUrl(cfg.temporal, id) }, 200);
    });
}
