// A day of sales for one store (and product) and the business's rules for it: what a valid row is,
// what makes two rows the same sale. Pure: shared by the event schema, the importer and dailyIngest.
import { addDays, dateProblem, todayUtc } from './dates.ts';
import type { StateHoliday } from './holidays.ts';

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
  stateHoliday: StateHoliday;
  schoolHoliday: boolean;
}

/** The largest Postgres `integer`: store ids, sales and customers are stored as such. */
export const MAX_INT = 2_147_483_647;
export const MAX_COUNT = 10_000_000;

/**
 * The latest date an event may carry: today, and a day of slack for producers in time zones ahead
 * of UTC. Each context's own "today" is RuleContext.latestDate.
 */
export const latestEventDate = (): string => addDays(todayUtc(), 1);
export const eventDateProblem = (date: string): string | null => dateProblem(date, 'past', latestEventDate());

/** ISO weekday as in Rossmann's DayOfWeek: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(date: string): number {
  return ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

/** A parse's answer: the value, or the first bad field and why. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; field: string; reason: string };

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

export const saleKey = (r: Pick<SaleRow, 'storeId' | 'product' | 'date'>): string =>
  `${r.storeId}|${r.product}|${r.date}`;

export function sameSale(a: SaleRow, b: SaleRow): boolean {
  return (
    a.sales === b.sales &&
    a.customers === b.customers &&
    a.open === b.open &&
    a.promo === b.promo &&
    a.stateHoliday === b.stateHoliday &&
    a.schoolHoliday === b.schoolHoliday
  );
}
