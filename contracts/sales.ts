// The sales event as producers send it to the API and the importer reads it from Rossmann's
// train.csv: its zod schema and parser. The rules a parsed row must still meet are domain/sales.ts.
import { z } from 'zod';
import { isCalendarDate } from '../domain/dates.ts';
import { STATE_HOLIDAYS, type StateHoliday } from '../domain/holidays.ts';
import {
  DEFAULT_PRODUCT,
  isoWeekday,
  latestEventDate,
  MAX_COUNT,
  MAX_INT,
  PRODUCT_NAME,
  type Parsed,
  type SaleRow,
} from '../domain/sales.ts';
import { businessDate } from './dates.ts';

// Range before wholeness: 1e308 is out of range (zod counts it as an unsafe integer, not a fraction).
// Messages leave the field out: every rejection names it before the reason.
const count = () =>
  z
    .number({ error: 'must be a number' })
    .min(0, { error: 'must be >= 0' })
    .max(MAX_COUNT, { error: `must be at most ${MAX_COUNT.toLocaleString('en')}` })
    .int({ error: 'must be a whole number' });
// 0/1 as in the CSV files; JSON producers may send booleans.
export const flag = () =>
  z
    .union([z.literal(0), z.literal(1), z.boolean()], { error: 'must be 0 or 1' })
    .transform((v) => v === 1 || v === true);

export const storeNumber = () =>
  z
    .number({ error: 'must be a number' })
    .min(1, { error: 'must be >= 1' })
    .max(MAX_INT, { error: `must be at most ${MAX_INT}` })
    .int({ error: 'must be a whole number' });
export const dayOfWeek = () =>
  z
    .number({ error: 'must be 1 (Monday) to 7 (Sunday)' })
    .int({ error: 'must be 1 (Monday) to 7 (Sunday)' })
    .min(1, { error: 'must be 1 (Monday) to 7 (Sunday)' })
    .max(7, { error: 'must be 1 (Monday) to 7 (Sunday)' });
export const stateHoliday = () =>
  z
    .union([z.enum(STATE_HOLIDAYS), z.literal(0)], { error: 'must be one of 0, a, b, c' })
    .transform((v) => String(v) as StateHoliday);

/** A day_of_week given beside a date must be that date's. */
export function weekdayMatchesDate(e: { date: string; day_of_week?: number | undefined }, ctx: z.RefinementCtx): void {
  if (e.day_of_week !== undefined && isCalendarDate(e.date) && e.day_of_week !== isoWeekday(e.date)) {
    ctx.addIssue({
      code: 'custom',
      path: ['day_of_week'],
      message: `${e.day_of_week} does not match date ${e.date} (${isoWeekday(e.date)})`,
    });
  }
}

/** One sales event as JSON (snake_case, the Rossmann columns). */
export const SaleEventSchema = z
  .object({
    store_id: storeNumber(),
    product: z
      .string({ error: 'must be text' })
      .regex(PRODUCT_NAME, { error: 'must be 1 to 64 letters, digits, _ . -' })
      .default(DEFAULT_PRODUCT),
    date: businessDate('past', latestEventDate),
    day_of_week: dayOfWeek().optional(),
    sales: count(),
    customers: count(),
    open: flag(),
    promo: flag(),
    state_holiday: stateHoliday(),
    school_holiday: flag(),
  })
  .strict()
  .superRefine(weekdayMatchesDate);

const valueAt = (input: unknown, path: PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (v, key) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined),
    input,
  );
/** A value as a rejection quotes it: JSON, so "12" (text) and 12 (a number) differ. */
export const showValue = (v: unknown): string => (v === undefined ? 'nothing' : (JSON.stringify(v) ?? typeof v));

/** The first problem of a failed parse: the field it names and why, quoting the value. */
export function firstProblem(error: z.ZodError, input: unknown): { ok: false; field: string; reason: string } {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys')
    return { ok: false, field: issue.keys.join(','), reason: `unknown field(s): ${issue.keys.join(', ')}` };
  // Custom checks (dates, the weekday) and messages ending "got <value>" quote it themselves; the others get it added.
  const quotesValue = issue.code === 'custom' || issue.message.includes(', got ');
  const reason = quotesValue ? issue.message : `${issue.message}, got ${showValue(valueAt(input, issue.path))}`;
  return { ok: false, field: issue.path.join('.') || '(event)', reason };
}

/** Checks an event's shape and types; on failure names the first bad field and its value. */
export function parseSaleEvent(input: unknown): Parsed<SaleRow> {
  const r = SaleEventSchema.safeParse(input);
  if (!r.success) return firstProblem(r.error, input);
  const e = r.data;
  return {
    ok: true,
    value: {
      storeId: e.store_id,
      product: e.product,
      date: e.date,
      sales: e.sales,
      customers: e.customers,
      open: e.open,
      promo: e.promo,
      stateHoliday: e.state_holiday,
      schoolHoliday: e.school_holiday,
    },
  };
}
