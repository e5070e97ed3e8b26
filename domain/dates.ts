// Calendar dates as 'YYYY-MM-DD' strings, computed in UTC so no time zone can shift them.
export const DAY_MS = 86_400_000;

export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Whole days from one date to another (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

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
