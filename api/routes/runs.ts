// Runs of every kind for the runs view: one list, filtered by kind and status, paged by a cursor,
// with each backfill's days counted by state; and one run with its live progress. A run without a
// recorded end whose workflow has closed is settled on read, so it never shows as running.
import { createRoute, z } from '@hono/zod-openapi';
import { backfillProgressQuery, progressQuery } from '../../contracts/ingest.ts';
import { RUN_KINDS, RUN_STATUS_FILTERS } from '../../contracts/runs.ts';
import { segmentationProgressQuery } from '../../contracts/segmentation.ts';
import { tabularProgressQuery } from '../../contracts/tabular.ts';
import { trainingProgressQuery } from '../../contracts/training.ts';
import {
  backfillDayCounts,
  currentRun,
  findRun,
  listRuns,
  publicRun,
  type RunCursor,
  type RunRow,
} from '../../platform/runs.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { errors, json, Limit, router } from '../openapi.ts';
import { briefly, liveProgress } from '../temporalCalls.ts';

const Run = z
  .object({
    id: z.string(),
    kind: z.enum(RUN_KINDS),
    status: z.string().openapi({ description: 'the last recorded stage while running; then how it ended' }),
    running: z.boolean().openapi({ description: 'no end recorded (and, when followed, its workflow still open)' }),
    warning: z.string().nullable().openapi({ description: 'set when a day ended without landing anything' }),
    error: z.string().nullable(),
    started_at: z.date(),
    ended_at: z.date().nullable(),
    sale_date: z.string().nullable(),
    as_of: z.string().nullable(),
    engine: z.string().nullable(),
    window_days: z.number().int().nullable(),
    store_id: z.number().int().nullable(),
    product: z.string().nullable(),
    counts: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'a backfill: its progress (total, done, failed dates with reasons, cancelled dates)' }),
    metrics: z.record(z.string(), z.unknown()).nullable(),
    backfill_id: z.string().nullable().openapi({ description: 'the backfill this day belongs to' }),
    days: z.record(z.string(), z.number().int()).optional().openapi({
      description: 'a backfill: its days counted by state (running, done, failed, cancelled, ..., warning)',
    }),
    temporalUrl: z.string().nullable().openapi({ description: 'its workflow in the Temporal UI; none for an import' }),
  })
  .openapi('Run');

const cursorOf = (c: RunCursor): string => Buffer.from(JSON.stringify([c.startedAt, c.id])).toString('base64url');
const Cursor = z
  .string()
  .optional()
  .transform((v, ctx): RunCursor | undefined => {
    if (v === undefined) return undefined;
    try {
      const [startedAt, id] = JSON.parse(Buffer.from(v, 'base64url').toString()) as unknown[];
      if (typeof startedAt === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(startedAt)))
        return { startedAt, id };
    } catch {
      /* answered below */
    }
    ctx.addIssue({ code: 'custom', message: `must be a cursor from a previous page's "next", got "${v}"` });
    return z.NEVER;
  })
  .openapi({ type: 'string', description: 'the `next` of the previous page' });

const list = createRoute({
  method: 'get',
  path: '/v1/runs',
  tags: ['runs'],
  summary:
    "Runs of every kind, newest first, a page at a time; a backfill's days are listed under it (backfill=<id>), not among the rest",
  request: {
    query: z.object({
      kind: z.enum(RUN_KINDS, { error: `must be one of ${RUN_KINDS.join(', ')}` }).optional(),
      status: z.enum(RUN_STATUS_FILTERS, { error: `must be one of ${RUN_STATUS_FILTERS.join(', ')}` }).optional(),
      backfill: z
        .string()
        .optional()
        .openapi({ description: "list this backfill's days", example: 'ingest-backfill-2026-01-01-2026-01-31' }),
      limit: Limit,
      cursor: Cursor,
    }),
  },
  responses: {
    200: json(
      z.object({
        runs: z.array(Run),
        next: z.string().optional().openapi({ description: 'cursor of the next page, when there is one' }),
      }),
      'one page of runs',
    ),
    ...errors(400),
  },
});
const follow = createRoute({
  method: 'get',
  path: '/v1/runs/{id}',
  tags: ['runs'],
  summary: 'One run of any kind, with live progress while it runs',
  request: { params: z.object({ id: z.string().openapi({ example: 'daily-ingest-2026-11-22' }) }) },
  responses: {
    200: json(Run.extend({ progress: z.record(z.string(), z.unknown()).optional() }), 'the run'),
    ...errors(404),
  },
});

export function runRoutes({ cfg, temporal, pool }: ApiDeps) {
  const shown = (run: RunRow, days?: Record<string, number>) => ({
    ...run,
    running: run.ended_at === null,
    days,
    temporalUrl:
      run.kind === 'import' ? null : workflowUrl(cfg.temporal, run.workflow_id, run.workflow_run_id ?? undefined),
  });
  const queryOf: Partial<Record<string, string>> = {
    daily: progressQuery.name,
    backfill: backfillProgressQuery.name,
    training: trainingProgressQuery.name,
    segmentation: segmentationProgressQuery.name,
    tabular: tabularProgressQuery.name,
  };

  return router()
    .openapi(list, async (c) => {
      const { kind, status, backfill, limit, cursor } = c.req.valid('query');
      const page = await listRuns(pool, { kind, status, backfillId: backfill, limit, after: cursor });
      const days = await backfillDayCounts(
        pool,
        page.runs.filter((r) => r.kind === 'backfill').map((r) => r.id),
      );
      return c.json(
        { runs: page.runs.map((r) => shown(r, days.get(r.id))), next: page.next && cursorOf(page.next) },
        200,
      );
    })
    .openapi(follow, async (c) => {
      const { id } = c.req.valid('param');
      // The row as Temporal says it ended, when Temporal answers at once; the stored row otherwise.
      const run = (await briefly(temporal, () => currentRun(pool, temporal, id))) ?? (await findRun(pool, id));
      if (!run) throw notFound(`no run ${id}`);
      const query = run.ended_at ? undefined : queryOf[run.kind];
      const progress = query
        ? await liveProgress<Record<string, unknown>>(temporal, run.workflow_id, query)
        : undefined;
      const days = run.kind === 'backfill' ? (await backfillDayCounts(pool, [run.id])).get(run.id) : undefined;
      return c.json({ ...shown(publicRun(run), days), progress }, 200);
    });
}
