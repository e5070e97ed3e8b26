// The Temporal Schedules of the recurring runs: see them, run one now, pause and unpause them.
import { createRoute, z } from '@hono/zod-openapi';
import { ScheduleNotFoundError, type ScheduleDescription } from '@temporalio/client';
import { scheduleDefinitions } from '../../platform/schedules.ts';
import { temporalUiUrl, workflowUrl } from '../../platform/temporal.ts';
import { requireRole, type AuthEnv } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { BEARER, errors, json, router } from '../openapi.ts';

const Schedule = z
  .object({
    id: z.string(),
    workflowType: z.string(),
    note: z.string().optional(),
    registered: z
      .boolean()
      .openapi({ description: 'false until the worker has registered it in Temporal (it does at start-up)' }),
    paused: z.boolean(),
    calendars: z.array(z.record(z.string(), z.unknown())),
    timeZone: z.string().optional(),
    every: z
      .string()
      .optional()
      .openapi({ description: 'for a schedule that runs at an interval, the interval', example: '3 minutes' }),
    nextRuns: z.array(z.string()).openapi({ description: 'the next start times (ISO)' }),
    recentRuns: z.array(z.object({ scheduledAt: z.string(), workflowId: z.string(), temporalUrl: z.string() })),
    temporalUrl: z.string(),
  })
  .openapi('Schedule');

const IdParam = z.object({ id: z.string().openapi({ example: 'daily-ingest' }) });

const list = createRoute({
  method: 'get',
  path: '/v1/schedules',
  tags: ['schedules'],
  summary: "The recurring runs' schedules",
  responses: { 200: json(z.object({ schedules: z.array(Schedule) }), 'every schedule retailflow keeps'), ...errors() },
});
const action = (verb: 'trigger' | 'pause' | 'unpause', summary: string, conflict: boolean) =>
  createRoute({
    method: 'post',
    path: `/v1/schedules/{id}/${verb}`,
    tags: ['schedules'],
    security: BEARER,
    summary: `${summary}; admin`,
    request: { params: IdParam },
    responses: {
      200: json(Schedule, 'the schedule afterwards'),
      ...errors(...(conflict ? ([401, 403, 404, 409] as const) : ([401, 403, 404] as const))),
    },
  });

export function scheduleRoutes({ cfg, temporal, keys }: ApiDeps) {
  const known = new Map(scheduleDefinitions(cfg).map((d) => [d.scheduleId, d]));
  const admin = requireRole(keys, 'admin');

  /** The schedule as Temporal has it; as retailflow defines it, marked unregistered, when Temporal has it not. */
  const view = async (id: string): Promise<z.output<typeof Schedule>> => {
    const def = known.get(id);
    if (!def) throw notFound(`no schedule ${id}; known: ${[...known.keys()].join(', ')}`);
    const defined = {
      id,
      // As retailflow defines it ({hour: 0, minute: 30}), which reads better than Temporal's ranges.
      calendars: (def.spec.calendars ?? []).map((cal) => ({ ...cal })),
      every: def.spec.intervals?.map((i) => String(i.every)).join(', '),
      temporalUrl: temporalUiUrl(cfg.temporal, { scheduleId: id }),
    };
    let d: ScheduleDescription;
    try {
      d = await temporal.schedule.getHandle(id).describe();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError)
        return {
          ...defined,
          workflowType:
            typeof def.action.workflowType === 'string' ? def.action.workflowType : def.action.workflowType.name,
          note: def.state?.note,
          registered: false,
          paused: false,
          timeZone: def.spec.timezone,
          nextRuns: [],
          recentRuns: [],
        };
      throw err;
    }
    return {
      ...defined,
      workflowType: d.action.type === 'startWorkflow' ? d.action.workflowType : d.action.type,
      note: d.state.note,
      registered: true,
      paused: d.state.paused,
      timeZone: d.spec.timezone,
      nextRuns: d.info.nextActionTimes.map((t) => t.toISOString()),
      recentRuns: d.info.recentActions.map((a) => ({
        scheduledAt: a.scheduledAt.toISOString(),
        workflowId: a.action.workflow.workflowId,
        temporalUrl: workflowUrl(cfg.temporal, a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId),
      })),
    };
  };
  /** A schedule an action can act on: registered in Temporal. */
  const describe = async (id: string): Promise<z.output<typeof Schedule>> => {
    const schedule = await view(id);
    if (!schedule.registered)
      throw notFound(`schedule ${id} is not registered in Temporal yet (the worker registers it at start-up)`);
    return schedule;
  };
  const who = (c: { get(k: 'apiKey'): { name: string } }) => `by API key "${c.get('apiKey').name}"`;

  return router<AuthEnv>()
    .openapi(list, async (c) => c.json({ schedules: await Promise.all([...known.keys()].map(view)) }, 200))
    .openapi(
      { ...action('trigger', 'Start the scheduled run now', false), middleware: [admin] as const },
      async (c) => {
        const { id } = c.req.valid('param');
        await describe(id);
        await temporal.schedule.getHandle(id).trigger();
        return c.json(await describe(id), 200);
      },
    )
    .openapi(
      { ...action('pause', 'Stop starting runs until unpaused', true), middleware: [admin] as const },
      async (c) => {
        const { id } = c.req.valid('param');
        if ((await describe(id)).paused) throw new ApiError(409, 'conflict', `schedule ${id} is paused already`);
        await temporal.schedule.getHandle(id).pause(`paused ${who(c)}`);
        return c.json(await describe(id), 200);
      },
    )
    .openapi(
      { ...action('unpause', 'Start runs on the calendar again', true), middleware: [admin] as const },
      async (c) => {
        const { id } = c.req.valid('param');
        if (!(await describe(id)).paused) throw new ApiError(409, 'conflict', `schedule ${id} is not paused`);
        await temporal.schedule.getHandle(id).unpause(`unpaused ${who(c)}`);
        return c.json(await describe(id), 200);
      },
    );
}
