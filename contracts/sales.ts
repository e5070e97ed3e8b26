// A day of sales for one store (and product): the shape producers send to the API, the importer
// reads from Rossmann's train.csv, and dailyIngest validates. Pure: shared by API, activities, scripts.
import { z } from 'zod';
import { ISO_DATE } from '../domain/dates.ts';

export const STATE_HOLIDAYS = ['0', 'a', 'b', 'c'] as const;
export const DEFAULT_PRODUCT = 'all';
/** What a product name may be: it names series, models and objects. */
export const PRODUCT_NAME = /^[\w.-]{1,64}$/;

export interface SaleRow {
  storeId: number;
  product: string;
  date: string;
  sales: number;
  customers: number;
  open: boolean;
  promo: boolean;
  stateHoliday: (typeof STATE_HOLIDAYS)[number];
  schoolHoliday: boolean;
}

export function isValidDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

/** ISO weekday as in Rossmann's DayOfWeek: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(date: string): number {
  return ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

const count = (what: string) => z.number({ error: `${what} must be a number` })
  .int({ error: `${what} must be a whole number` })
  .min(0, { error: `${what} must be >= 0` })
  .max(10_000_000, { error: `${what} is implausibly large (> 10,000,000)` });
// 0/1 as in the CSV files; JSON producers may send booleans.
const flag = (what: string) => z.union([z.literal(0), z.literal(1), z.boolean()], { error: `${what} must be 0 or 1` })
  .transform((v) => v === 1 || v === true);

/** One sales event as JSON (snake_case, the Rossmann columns). */
export const SaleEventSchema = z.object({
  store_id: z.number({ error: 'store_id must be a number' }).int({ error: 'store_id must be a whole number' }).min(1, { error: 'store_id must be >= 1' }),
  product: z.string().min(1).max(64, { error: 'product must be at most 64 characters' }).regex(/^[\w.-]+$/, { error: 'product may use letters, digits, _ . - only' }).default(DEFAULT_PRODUCT),
  date: z.string({ error: 'date must be a string YYYY-MM-DD' }).refine(isValidDate, { error: 'date must be a real calendar date YYYY-MM-DD' }),
  day_of_week: z.number().int().min(1).max(7, { error: 'day_of_week must be 1 (Monday) to 7 (Sunday)' }).optional(),
  sales: count('sales'),
  customers: count('customers'),
  open: flag('open'),
  promo: flag('promo'),
  state_holiday: z.union([z.enum(STATE_HOLIDAYS), z.literal(0)], { error: 'state_holiday must be one of 0, a, b, c' })
    .transform((v) => String(v) as SaleRow['stateHoliday']),
  school_holiday: flag('school_holiday'),
}).strict().superRefine((e, ctx) => {
  if (e.day_of_week !== undefined && isValidDate(e.date) && e.day_of_week !== isoWeekday(e.date)) {
    ctx.addIssue({ code: 'custom', path: ['day_of_week'], message: `day_of_week ${e.day_of_week} does not match date ${e.date} (${isoWeekday(e.date)})` });
  }
});

export type Parsed<T> = { ok: true; value: T } | { ok: false; field: string; reason: string };

/** Checks an event's shape and types; on failure names the first bad field. */
export function parseSaleEvent(input: unknown): Parsed<SaleRow> {
  const r = SaleEventSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.code === 'unrecognized_keys' ? issue.keys.join(',') : issue.path.join('.') || '(event)';
    return { ok: false, field, reason: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message };
  }
  const e = r.data;
  return {
    ok: true,
    value: {
      storeId: e.store_id, product: e.product, date: e.date, sales: e.sales, customers: e.customers,
      open: e.open, promo: e.promo, stateHoliday: e.state_holiday, schoolHoliday: e.school_holiday,
    },
  };
}

export interface RuleContext {
  knownStores: Pick<ReadonlySet<number>, 'has'>;
  /** The last date that may have sales: later dates are in the future. */
  latestDate: string;
}

/** Business rules beyond the shape: the reason a well-formed row must still not land, or null. */
export function breaksRule(row: SaleRow, ctx: RuleContext): string | null {
  if (!ctx.knownStores.has(row.storeId)) return `unknown store ${row.storeId}`;
  if (row.date > ctx.latestDate) return `date ${row.date} is in the future (latest allowed ${ctx.latestDate})`;
  if (!row.open && row.sales > 0) return `sales ${row.sales} on a closed day (open = 0)`;
  if (!row.open && row.customers > 0) return `customers ${row.customers} on a closed day (open = 0)`;
  return null;
}

export const saleKey = (r: Pick<SaleRow, 'storeId' | 'product' | 'date'>): string => `${r.storeId}|${r.product}|${r.date}`;

export function sameSale(a: SaleRow, b: SaleRow): boolean {
  return a.sales === b.sales && a.customers === b.customers && a.open === b.open && a.promo === b.promo &&
    a.stateHoliday === b.stateHoliday && a.schoolHoliday === b.schoolHoliday;
}
