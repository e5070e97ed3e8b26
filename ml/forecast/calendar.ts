// The calendar of days to forecast when nobody says what it will be (the weekly run forecasts the
// next 7 days from history alone). Assumptions, each a guess a caller with the real plan should
// replace by passing the days themselves (Rossmann's test.csv has them):
// - open: as the same weekday was on most of its last 4 occurrences (a store closed on Sundays
//   stays closed on Sundays);
// - promo: as 14 days earlier (Rossmann's promotions run in two-week cycles);
// - school holiday: as 7 days earlier (school holidays last weeks);
// - state holiday: none (public holidays are not in the history's future).
import { addDays } from '../../domain/dates.ts';
import type { CalendarDay, SeriesDay } from './types.ts';

export function assumedCalendar(history: readonly SeriesDay[], dates: readonly string[]): CalendarDay[] {
  const byDate = new Map(history.map((d) => [d.date, d]));
  const known = new Map<string, CalendarDay>(byDate);
  const lookBack = (date: string, days: number) => known.get(addDays(date, -days));
  return dates.map((date) => {
    const sameWeekday = [7, 14, 21, 28].map((k) => lookBack(date, k)).filter((d): d is CalendarDay => d !== undefined);
    const day: CalendarDay = {
      date,
      open: sameWeekday.length ? sameWeekday.filter((d) => d.open).length * 2 >= sameWeekday.length : true,
      promo: lookBack(date, 14)?.promo ?? false,
      stateHoliday: '0',
      schoolHoliday: lookBack(date, 7)?.schoolHoliday ?? false,
    };
    known.set(date, day);
    return day;
  });
}
