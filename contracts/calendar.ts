// The calendar planners know for coming days, per store and date: open or closed, promo, state and
// school holiday (the columns of Kaggle's test.csv). POST /v1/calendar and the importer store it;
// forecasts use it for the days it covers and the assumed calendar elsewhere; POST /v1/forecast also
// takes days inline, a what-if that is used for that answer only.
import { z } from 'zod';
import type { StateHoliday } from '../domain/holidays.ts';
import type { Parsed } from '../domain/sales.ts';
import type { CalendarSource } from '../ml/forecast/types.ts';
import { businessDate } from './dates.ts';
import { dayOfWeek, firstProblem, flag, stateHoliday, storeNumber, weekdayMatchesDate } from './sales.ts';

/** At most this many days per POST /v1/calendar (a quarter of 100 stores); larger plans go through the importer. */
export const MAX_PLANNED_DAYS = 10_000;

/** One store's day as planned. */
export interface PlannedDay {
  storeId: number;
  date: string;
  open: boolean;
  promo: boolean;
  stateHoliday: StateHoliday;
  schoolHoliday: boolean;
}

export const CALENDAR_SOURCES = ['history', 'request', 'plan', 'assumed'] as const satisfies readonly CalendarSource[];

const dayFields = {
  date: businessDate('forecast'),
  day_of_week: dayOfWeek().optional(),
  open: flag(),
  promo: flag(),
  state_holiday: stateHoliday(),
  school_holiday: flag(),
};

/** A day in a forecast request's inline calendar: the store is the item's. */
export const CalendarDaySchema = z.object(dayFields).strict().superRefine(weekdayMatchesDate);

/** A planned day as JSON (snake_case, the columns of Kaggle's test.csv). */
export const PlannedDaySchema = z
  .object({ store_id: storeNumber(), ...dayFields })
  .strict()
  .superRefine(weekdayMatchesDate);

export function parsePlannedDay(input: unknown): Parsed<PlannedDay> {
  const r = PlannedDaySchema.safeParse(input);
  if (!r.success) return firstProblem(r.error, input);
  const d = r.data;
  return {
    ok: true,
    value: {
      storeId: d.store_id,
      date: d.date,
      open: d.open,
      promo: d.promo,
      stateHoliday: d.state_holiday,
      schoolHoliday: d.school_holiday,
    },
  };
}
