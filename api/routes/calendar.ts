// The planners' calendar of coming days: POST /v1/calendar stores planned days (open, promo,
// holidays per store and date; write), GET /v1/calendar/{store} reads them back. Each day is checked
// on its own, as sales events are: valid days are stored, each invalid one comes back with its
// field and reason. Forecasts use the plan for the days it covers (see POST /v1/forecast).
import { createRoute, z } from '@hono/zod-openapi';
import { MAX_PLANNED_DAYS, parsePlannedDay, PlannedDaySchema, type PlannedDay } from '../../contracts/calendar.ts';
import { addDays, dateProblem, todayUtc } from '../../domain/dates.ts';
import { plannedDays, savePlannedDays, unknownStores } from '../../platform/plannedCalendar.ts';
import { requireRole, type AuthEnv } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { BEARER, errors, json, router, StoreId } from '../openapi.ts';
import { requireStore } from '../series.ts';
import { readJson } from '../validation.ts';

/** What GET answers when `to` is left out: the coming weeks a planner looks at. */
const DEFAULT_DAYS_AHEAD = 42;

const DayRejection = z.object({ index: z.number().int(), field: z.string(), reason: z.string() });
type DayRejection = z.output<typeof DayRejection>;

const PlannedDayOut = z
  .object({
    date: z.string(),
    open: z.boolean(),
    promo: z.boolean(),
    state_holiday: z.string(),
    school_holiday: z.boolean(),
  })
  .openapi('PlannedDay');

// Documented here, checked by hand: one bad day must not fail the others.
const postCalendar = createRoute({
  method: 'post',
  path: '/v1/calendar',
  tags: ['forecasts'],
  security: BEARER,
  summary: `Store planned days (a JSON array, at most ${MAX_PLANNED_DAYS}); a day sent again replaces it; write`,
  description:
    "Each day: store_id, date, open, promo, state_holiday, school_holiday (Kaggle test.csv's columns; 0/1 or booleans; day_of_week optional). " +
    'Forecasts use these days instead of the assumed calendar. A larger plan (a whole test.csv) goes through POST /v1/imports as calendarUri.',
  request: {
    body: { required: true, content: { 'application/json': { schema: z.array(PlannedDaySchema) } } },
  },
  responses: {
    200: json(
      z.object({ stored: z.number().int(), rejected: z.array(DayRejection) }),
      'valid days stored; each invalid one with its field and reason',
    ),
    ...errors(400, 401, 403, 413),
  },
});

const getCalendar = createRoute({
  method: 'get',
  path: '/v1/calendar/{store}',
  tags: ['forecasts'],
  summary: "A store's planned days",
  request: {
    params: z.object({ store: StoreId }),
    query: z.object({
      from: z.string().optional().openapi({ example: '2026-12-01', description: 'first day; default today (UTC)' }),
      to: z
        .string()
        .optional()
        .openapi({ example: '2026-12-31', description: `last day, included; default from + ${DEFAULT_DAYS_AHEAD}` }),
    }),
  },
  responses: {
    200: json(z.object({ store_id: z.number().int(), days: z.array(PlannedDayOut) }), 'the planned days, by date'),
    ...errors(400, 404),
  },
});

function queryDate(value: string | undefined, fallback: string, field: string): string {
  if (value === undefined) return fallback;
  const problem = dateProblem(value, 'forecast');
  if (problem) throw new ApiError(400, 'invalid_request', `${field}: ${problem}`, field);
  return value;
}

export function calendarRoutes({ pool, keys }: ApiDeps) {
  const routes = router<AuthEnv>();
  routes.openAPIRegistry.registerPath(postCalendar);
  return routes
    .openapi(getCalendar, async (c) => {
      const { store } = c.req.valid('param');
      const query = c.req.valid('query');
      await requireStore(pool, store);
      const from = queryDate(query.from, todayUtc(), 'from');
      const to = queryDate(query.to, addDays(from, DEFAULT_DAYS_AHEAD), 'to');
      if (to < from) throw new ApiError(400, 'invalid_request', `to: ${to} is before from ${from}`, 'to');
      const days = [...((await plannedDays(pool, [store], from, to)).get(store)?.values() ?? [])];
      return c.json(
        {
          store_id: store,
          days: days
            .sort((a, b) => (a.date < b.date ? -1 : 1))
            .map((d) => ({
              date: d.date,
              open: d.open,
              promo: d.promo,
              state_holiday: d.stateHoliday,
              school_holiday: d.schoolHoliday,
            })),
        },
        200,
      );
    })
    .post('/v1/calendar', requireRole(keys, 'write'), async (c) => {
      const days = await readJson(c);
      if (!Array.isArray(days))
        throw new ApiError(400, 'invalid_request', 'body must be a JSON array of planned days', 'body');
      if (days.length === 0) throw new ApiError(400, 'invalid_request', 'the plan is empty', 'body');
      if (days.length > MAX_PLANNED_DAYS)
        throw new ApiError(
          400,
          'batch_too_large',
          `the plan has ${days.length} days; send at most ${MAX_PLANNED_DAYS} per request (or import a test.csv)`,
          'body',
        );
      const rejected: DayRejection[] = [];
      const valid: { index: number; day: PlannedDay }[] = [];
      days.forEach((input: unknown, index) => {
        const parsed = parsePlannedDay(input);
        if (parsed.ok) valid.push({ index, day: parsed.value });
        else rejected.push({ index, field: parsed.field, reason: parsed.reason });
      });
      const unknown = await unknownStores(
        pool,
        valid.map((v) => v.day.storeId),
      );
      const known = valid.filter((v) => !unknown.has(v.day.storeId));
      for (const v of valid)
        if (unknown.has(v.day.storeId))
          rejected.push({ index: v.index, field: 'store_id', reason: `no store ${v.day.storeId}` });
      const stored = await savePlannedDays(
        pool,
        known.map((v) => v.day),
        `api:${c.get('apiKey').name}`,
      );
      return c.json({ stored, rejected: rejected.sort((a, b) => a.index - b.index) }, 200);
    });
}
