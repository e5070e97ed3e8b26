// Calendar dates as 'YYYY-MM-DD' strings, computed in UTC so no time zone can shift them.
export const DAY_MS = 86_400_000;

export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Whole days from one date to another (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Today's date in UTC. */
export const todayUtc = (): string => new Date().toISOString().slice(0, 10);

/** Today's date in a time zone (IANA name), e.g. for "yesterday in Europe/Berlin". */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The day before `at` in a time zone: the day a schedule tick at `at` is for, and a training run's default `asOf`. */
export const dayBeforeIn = (timeZone: string, at: Date = new Date()): string => addDays(todayIn(timeZone, at), -1);

/** A real calendar day written YYYY-MM-DD (not 2015-02-30, not 0000-00-00). */
export function isCalendarDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

// The business's calendar, one rule for every schema, importer and workflow: days before this are
// placeholders (0001-01-01) or typos, and no query should ever see them.
export const FIRST_DATE = '1990-01-01';
/** How far ahead forecasts may be asked for. */
export const FORECAST_YEARS_AHEAD = 2;

/**
 * The dates a kind of date may take, given today: `past` for sales and training's `asOf` (up to
 * today), `forecast` for forecast days (up to FORECAST_YEARS_AHEAD years after today).
 */
export type DateKind = 'past' | 'forecast';

export function lastDate(kind: DateKind, today: string): string {
  if (kind === 'past') return today;
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  // Day 0 of the next month is the month's last day: 29 February + 2 years is 28 February.
  const sameDay = new Date(Date.UTC(y + FORECAST_YEARS_AHEAD, m - 1, d));
  return (sameDay.getUTCMonth() === m - 1 ? sameDay : new Date(Date.UTC(y + FORECAST_YEARS_AHEAD, m, 0)))
    .toISOString()
    .slice(0, 10);
}

/** Why a value is not a date of this kind (with the value), or null when it is one. */
export function dateProblem(value: unknown, kind: DateKind, today: string = todayUtc()): string | null {
  if (typeof value !== 'string' || !ISO_DATE.test(value))
    return `must be a date YYYY-MM-DD, got ${JSON.stringify(value) ?? 'nothing'}`;
  if (!isCalendarDate(value)) return `${value} is not a real calendar date`;
  if (value < FIRST_DATE) return `${value} is before ${FIRST_DATE}, the earliest date accepted`;
  const last = lastDate(kind, today);
  if (value > last) {
    return kind === 'past'
      ? `${value} is in the future (latest allowed ${last})`
      : `${value} is more than ${FORECAST_YEARS_AHEAD} years ahead (latest allowed ${last})`;
  }
  return null;
}
