// The calendar of days to forecast when nobody says what it will be (the weekly run forecasts the
// next 7 days from history alone). A day the history has keeps its real calendar. Other days get
// assumptions, each a guess a caller with the real plan should replace by passing the days
// themselves (Rossmann's test.csv has them):
// - open: as the same weekday was on most of its last 4 occurrences (a store closed on Sundays
//   stays closed on Sundays);
// - promo: as 14 days earlier (Rossmann's promotions run in two-week cycles);
// - school holiday: as 7 days earlier (school holidays last weeks);
// - state holiday: none (public holidays are not in the history's future).
import { dayNumber } from './features.ts';
import type { CalendarDay, SeriesDay } from './types.ts';

export function assumedCalendar(history: readonly SeriesDay[], dates: readonly string[]): CalendarDay[] {
  // By day number: looking back is arithmetic, not date parsing.
  const known = new Map<number, CalendarDay>(history.map((d) => [dayNumber(d.date), d]));
  return dates.map((date) => {
    const n = dayNumber(date);
    const seen = known.get(n);
    if (seen)
      return {
        date,
        open: seen.open,
        promo: seen.promo,
        stateHoliday: seen.stateHoliday,
        schoolHoliday: seen.schoolHoliday,
      };
    const lookBack = (days: number) => known.get(n - days);
    const sameWeekday = [7, 14, 21, 28].map(lookBack).filter((d): d is CalendarDay => d !== undefined);
    const day: CalendarDay = {
      date,
      open: sameWeekday.length ? sameWeekday.filter((d) => d.open).length * 2 >= sameWeekday.length : true,
      promo: lookBack(14)?.promo ?? false,
      stateHoliday: '0',
      schoolHoliday: lookBack(7)?.schoolHoliday ?? false,
    };
    known.set(n, day);
    return day;
  });
}
