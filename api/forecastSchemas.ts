// POST /v1/forecast, compatible with the reference system's forecast service: a list of
// {store_id, product_name, begin_date, end_date} in, one forecast per item out, with the model's
// name and version. Dates may be YYYY-MM-DD or the reference's YYYY-MM-DDTHH:MM:SSZ; both ends are
// included, and a left-out range is the reference's: today to 7 days later (8 days).
import { z } from '@hono/zod-openapi';
import { CALENDAR_SOURCES, CalendarDaySchema } from '../contracts/calendar.ts';
import { addDays, dateProblem, daysBetween, todayUtc } from '../domain/dates.ts';
import { DEFAULT_PRODUCT, MAX_INT, PRODUCT_NAME } from '../domain/sales.ts';
import type { ForecastDrivers } from '../ml/forecast/types.ts';

export const MAX_FORECAST_DAYS = 365;
export const MAX_FORECAST_ITEMS = 100;
const DEFAULT_RANGE_DAYS = 7;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?Z)?$/, {
    error: 'must be a date YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ',
  })
  .transform((v, ctx) => {
    const date = v.slice(0, 10);
    const problem = dateProblem(date, 'forecast', todayUtc());
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: v, continue: false });
    return date;
  });

export const ForecastRequestItem = z
  .object({
    store_id: z
      .union([z.string().regex(/^\d+$/), z.number()], {
        error: (i) => `must be a store number, got ${JSON.stringify(i.input) ?? 'nothing'}`,
      })
      .transform(Number)
      .refine((n) => Number.isInteger(n) && n >= 1 && n <= MAX_INT, {
        error: (i) => `must be a store number from 1 to ${MAX_INT}, got ${String(i.input)}`,
      })
      .openapi({ example: '1', description: 'a store number (the reference sends it as a string)' }),
    product_name: z
      .string()
      .regex(PRODUCT_NAME, { error: 'must be a product name (letters, digits, _ . -)' })
      .default(DEFAULT_PRODUCT)
      .openapi({ example: 'all' }),
    begin_date: day
      .optional()
      .openapi({ example: '2026-11-24T00:00:00Z', description: 'first day; default today (UTC)' }),
    end_date: day.optional().openapi({
      example: '2026-11-30T00:00:00Z',
      description: `last day, included; default begin_date + ${DEFAULT_RANGE_DAYS}`,
    }),
    explain: z.boolean().optional().openapi({
      description:
        "add each day's drivers: the level and the factor of weekday, promo, holiday, closure, month, season",
    }),
    calendar: z
      .array(CalendarDaySchema)
      .max(MAX_FORECAST_DAYS, { error: `send at most ${MAX_FORECAST_DAYS} days` })
      .optional()
      .openapi({
        description:
          "a what-if: these days' calendar (date, open, promo, state_holiday, school_holiday) for this answer only, " +
          'over the stored plan and the assumed calendar; nothing is stored',
      }),
  })
  .strict()
  .superRefine((item, ctx) => {
    const seen = new Set<string>();
    item.calendar?.forEach((d, i) => {
      if (seen.has(d.date))
        ctx.addIssue({ code: 'custom', path: ['calendar', i, 'date'], message: `${d.date} is given twice` });
      seen.add(d.date);
    });
  });

export const ForecastRequest = z
  .array(ForecastRequestItem)
  .min(1, { error: 'send at least one item' })
  .max(MAX_FORECAST_ITEMS, { error: `send at most ${MAX_FORECAST_ITEMS} items per request` })
  .openapi('ForecastRequest');

export type ForecastRequestItem = z.output<typeof ForecastRequestItem>;

export const ForecastResponse = z
  .array(
    z.object({
      request: z.object({
        store_id: z.string(),
        product_name: z.string(),
        begin_date: z.string(),
        end_date: z.string(),
      }),
      forecast: z.array(
        z.object({
          timestamp: z.string().openapi({ example: '2026-11-24T00:00:00' }),
          value: z.number().int(),
          lower_ci: z.number().int(),
          upper_ci: z.number().int(),
          calendar: z
            .object({
              source: z.enum(CALENDAR_SOURCES).openapi({
                description: "the series' history, the request's calendar, the stored plan, or assumed",
              }),
              open: z.boolean(),
              promo: z.boolean(),
              state_holiday: z.string(),
              school_holiday: z.boolean(),
            })
            .openapi({ description: 'the calendar the day was forecast on, and where it came from' }),
          drivers: z
            .object({
              level: z.number().openapi({ description: "the series' level on the day (sales units, trend included)" }),
              factors: z.record(z.string(), z.number()).openapi({
                description: 'what each driver multiplies the level by (1 = no effect); level x factors = 1 + value',
                example: { weekday: 0.94, promo: 1.21, holiday: 1, closure: 1, month: 1.02, season: 0.97 },
              }),
            })
            .nullable()
            .optional()
            .openapi({
              description: "with explain: the day's drivers as the engine computed them; null on a closed day",
            }),
        }),
      ),
      api: z.object({ model_name: z.string(), model_version: z.number().int() }),
    }),
  )
  .openapi('ForecastResponse');

export type ForecastResponse = z.output<typeof ForecastResponse>;

/** The one rounding rule of every forecast the API answers with: whole units, as the reference's are. */
/** Drivers as answered: the level in whole units, factors to thousandths. */
export const roundedDrivers = ({ level, factors }: ForecastDrivers) => ({
  level: Math.round(level),
  factors: Object.fromEntries(Object.entries(factors).map(([d, f]) => [d, Math.round(f * 1000) / 1000])),
});

export function wholeUnits<P extends { forecast: number; lower: number; upper: number }>(p: P): P {
  return { ...p, forecast: Math.round(p.forecast), lower: Math.round(p.lower), upper: Math.round(p.upper) };
}

/** An item's days, both ends included; a problem with the range is a field and a reason. */
export function forecastRange(
  item: ForecastRequestItem,
  today: string,
): { ok: true; begin: string; end: string } | { ok: false; field: string; reason: string } {
  const begin = item.begin_date ?? today;
  const end = item.end_date ?? addDays(begin, DEFAULT_RANGE_DAYS);
  // A left-out end (begin + 7 days) may pass the date rule's last day: the rule holds for it too.
  const endProblem = dateProblem(end, 'forecast', today);
  if (endProblem) return { ok: false, field: 'end_date', reason: endProblem };
  if (end < begin) return { ok: false, field: 'end_date', reason: `must not be before begin_date (${begin})` };
  const days = daysBetween(begin, end) + 1;
  if (days > MAX_FORECAST_DAYS)
    return { ok: false, field: 'end_date', reason: `the range is ${days} days; at most ${MAX_FORECAST_DAYS}` };
  return { ok: true, begin, end };
}
