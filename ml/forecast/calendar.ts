// The calendar of days to forecast. A day the history has keeps its real calendar; a day someone
// stated (the planners' stored plan, or a what-if in the request: `given`) is as stated. Other days
// get assumptions, each a guess a caller with the real plan should replace (Rossmann's test.csv has
// them), and stated days count as seen for the look-backs:
// - open: as the same weekday was on most of its last 4 occurrences (a store closed on Sundays
//   stays closed on Sundays);
// - promo: as 14 days earlier (Rossmann's promotions run in two-week cycles);
// - school holiday: as 7 days earlier (school holidays last weeks);
// - state holiday: none (public holidays are not in the history's future).
import { dayNumber } from './features.ts';
import type { CalendarDay, GivenDay, SeriesDay, SourcedDay } from './types.ts';

const calendarOf = (d: CalendarDay): CalendarDay => ({
  date: d.date,
  open: d.open,
  promo: d.promo,
  stateHoliday: d.stateHoliday,
  schoolHoliday: d.schoolHoliday,
});

export function assumedCalendar(
  history: readonly SeriesDay[],
  dates: readonly string[],
  given: ReadonlyMap<string, GivenDay> = new Map(),
): SourcedDay[] {
  // By day number: looking back is arithmetic, not date parsing. Only the history's days a look-back
  // can reach (28 days before the earliest date) are indexed: a run does this for every series.
  const reach = Math.min(...dates.map(dayNumber)) - 28;
  const known = new Map<number, CalendarDay>();
  for (const d of history) {
    const n = dayNumber(d.date);
    if (n >= reach) known.set(n, d);
  }
  return dates.map((date) => {
    const n = dayNumber(date);
    const seen = known.get(n);
    if (seen) return { ...calendarOf(seen), date, source: 'history' };
    const stated = given.get(date);
    if (stated) {
      known.set(n, stated);
      return { ...calendarOf(stated), source: stated.source };
    }
    const lookBack = (days: number) => known.get(n - days);
    const sameWeekday = [7, 14, 21, 28].map(lookBack).filter((d): d is CalendarDay => d !== undefined);
    const day: SourcedDay = {
      date,
      open: sameWeekday.length ? sameWeekday.filter((d) => d.open).length * 2 >= sameWeekday.length : true,
      promo: lookBack(14)?.promo ?? false,
      stateHoliday: '0',
      schoolHoliday: lookBack(7)?.schoolHoliday ?? false,
      source: 'assumed',
    };
    known.set(n, day);
    return day;
  });
}
