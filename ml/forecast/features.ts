// The calendar features of the `fast` engine: one row of numbers per day. Retail sales are
// multiplicative, so the engine fits these to log sales: each feature scales sales by a factor.
import { DAY_MS } from '../../domain/dates.ts';
import type { CalendarDay, ForecastDrivers } from './types.ts';

const YEAR_DAYS = 365.25;
const YEARLY_TERMS = 3;

export const FEATURE_NAMES = [
  'intercept',
  'trend',
  'tue',
  'wed',
  'thu',
  'fri',
  'sat',
  'sun',
  'promo',
  'promo_tue',
  'promo_wed',
  'promo_thu',
  'promo_fri',
  'promo_sat',
  'state_holiday',
  'school_holiday',
  'after_closure',
  'before_closure',
  'month_start',
  'month_end',
  ...Array.from({ length: YEARLY_TERMS }, (_, k) => [`year_sin${k + 1}`, `year_cos${k + 1}`]).flat(),
] as const;

export const FEATURE_COUNT = FEATURE_NAMES.length;
export const FIRST_YEARLY = FEATURE_NAMES.indexOf('year_sin1');

// Dates repeat across every series and fold of a run: each is parsed once (bounded, so a long-lived
// process does not grow it without end).
const dayNumbers = new Map<string, number>();
export function dayNumber(date: string): number {
  let n = dayNumbers.get(date);
  if (n === undefined) {
    if (dayNumbers.size > 100_000) dayNumbers.clear();
    n = Date.parse(`${date}T00:00:00Z`) / DAY_MS;
    dayNumbers.set(date, n);
  }
  return n;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Year, month (1..12) and day of month of a day number, in integer arithmetic (H. Hinnant's civil_from_days): no Date objects per row. */
export function civilFromDays(n: number): { year: number; month: number; dom: number } {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const dom = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, dom };
}

/** Day of month and days in that month of a day number. */
export function monthPosition(n: number): { dom: number; daysInMonth: number } {
  const { year, month, dom } = civilFromDays(n);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return { dom, daysInMonth: month === 2 && leap ? 29 : MONTH_DAYS[month - 1]! };
}

// A day's terms that depend on its date alone (day number, weekday, month start and end, the yearly
// pairs), by date: every series and fold of a run has the same days, so each is computed once.
const DATE_TERMS = 4 + 2 * YEARLY_TERMS;
const dateTermsByDate = new Map<string, Float64Array>();
function dateTerms(date: string): Float64Array {
  let t = dateTermsByDate.get(date);
  if (t === undefined) {
    if (dateTermsByDate.size > 100_000) dateTermsByDate.clear();
    const n = dayNumber(date);
    const { dom, daysInMonth } = monthPosition(n);
    t = new Float64Array(DATE_TERMS);
    t[0] = n;
    t[1] = (((n + 4) % 7) + 7) % 7; // 0 = Sunday; day 0 (1970-01-01) was a Thursday
    t[2] = dom <= 3 ? 1 : 0;
    t[3] = dom > daysInMonth - 3 ? 1 : 0;
    for (let k = 1; k <= YEARLY_TERMS; k++) {
      const angle = (2 * Math.PI * k * n) / YEAR_DAYS;
      t[4 + 2 * (k - 1)] = Math.sin(angle);
      t[4 + 2 * (k - 1) + 1] = Math.cos(angle);
    }
    dateTermsByDate.set(date, t);
  }
  return t;
}

/**
 * Writes day i's features into `out` at `offset`. Neighbours decide the days around closures; a
 * neighbour outside `days` counts as open. `origin` is the day number trend counts from.
 */
export function writeFeatures(
  days: readonly CalendarDay[],
  i: number,
  origin: number,
  out: Float64Array,
  offset: number,
): void {
  const day = days[i]!;
  const t = dateTerms(day.date);
  const n = t[0]!;
  const weekday = t[1]!;
  const promo = day.promo ? 1 : 0;
  out.fill(0, offset, offset + FEATURE_COUNT);
  out[offset] = 1;
  out[offset + 1] = (n - origin) / YEAR_DAYS;
  if (weekday !== 1) out[offset + 2 + ((weekday + 5) % 7)] = 1; // tue..sun; Monday is the base
  out[offset + 8] = promo;
  if (promo && weekday >= 2 && weekday <= 6) out[offset + 9 + weekday - 2] = 1;
  out[offset + 14] = day.stateHoliday !== '0' ? 1 : 0;
  out[offset + 15] = day.schoolHoliday ? 1 : 0;
  out[offset + 16] = i > 0 && !days[i - 1]!.open ? 1 : 0;
  out[offset + 17] = i + 1 < days.length && !days[i + 1]!.open ? 1 : 0;
  out[offset + 18] = t[2]!;
  out[offset + 19] = t[3]!;
  for (let j = 0; j < 2 * YEARLY_TERMS; j++) out[offset + FIRST_YEARLY + j] = t[4 + j]!;
}

/** What a forecast day is made of, as planners name it: each feature belongs to one driver. */
export const DRIVERS = ['level', 'weekday', 'promo', 'holiday', 'closure', 'month', 'season'] as const;
export type Driver = (typeof DRIVERS)[number];

export const DRIVER_OF_FEATURE: readonly Driver[] = FEATURE_NAMES.map((name): Driver => {
  if (name === 'intercept' || name === 'trend') return 'level';
  if (name.startsWith('promo')) return 'promo';
  if (name.endsWith('_holiday')) return 'holiday';
  if (name.endsWith('_closure')) return 'closure';
  if (name.startsWith('month_')) return 'month';
  if (name.startsWith('year_')) return 'season';
  return 'weekday';
});

/** Each feature's driver as its index in DRIVERS (0 is the level). */
export const DRIVER_INDEX_OF_FEATURE: readonly number[] = DRIVER_OF_FEATURE.map((d) => DRIVERS.indexOf(d));

/** A day's drivers from its log contributions summed per driver, in DRIVERS order: level x factors = exp of their sum. */
export function driversOf(logs: ArrayLike<number>): ForecastDrivers {
  const factors = {} as ForecastDrivers['factors'];
  for (let d = 1; d < DRIVERS.length; d++) factors[DRIVERS[d] as keyof ForecastDrivers['factors']] = Math.exp(logs[d]!);
  return { level: Math.exp(logs[0]!), factors };
}
