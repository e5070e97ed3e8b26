// Baselines the reports compare every engine against. Their intervals are the point (no spread).
// - `last_week`: a day sells what the same weekday sold last (the last open one in the history).
// - `median_weekday_promo`: the median of the history's open days with the same weekday and promo
//   flag, falling back to the weekday, then to all open days.
import { dayNumber } from './features.ts';
import { UnfitSeriesError, type CalendarDay, type Engine, type ForecastPoint, type SeriesDay } from './types.ts';

const weekdayOf = (date: string) => (((dayNumber(date) + 4) % 7) + 7) % 7; // 0 = Sunday

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const point = (date: string, value: number): ForecastPoint => ({ date, forecast: value, lower: value, upper: value });

function openDaysWithSales(history: SeriesDay[]): SeriesDay[] {
  const open = history.filter((d) => d.open && d.sales > 0);
  if (!open.length) throw new UnfitSeriesError(`no open day with sales in the ${history.length} days of history`);
  return open;
}

export interface LastWeekParams {
  byWeekday: (number | null)[];
}

export const lastWeekEngine: Engine<LastWeekParams> = {
  name: 'last_week',
  fit(history) {
    const byWeekday: (number | null)[] = new Array<number | null>(7).fill(null);
    for (const d of openDaysWithSales(history)) byWeekday[weekdayOf(d.date)] = d.sales;
    return { engine: 'last_week', params: { byWeekday } };
  },
  predict(model, days: CalendarDay[]) {
    return days.map((d) => point(d.date, d.open ? (model.params.byWeekday[weekdayOf(d.date)] ?? 0) : 0));
  },
};

export interface MedianParams {
  /** [promo 0|1][weekday 0..6] medians; null where the history has no such day. */
  byPromoWeekday: (number | null)[][];
  byWeekday: (number | null)[];
  overall: number;
}

export const medianWeekdayPromoEngine: Engine<MedianParams> = {
  name: 'median_weekday_promo',
  fit(history) {
    const open = openDaysWithSales(history);
    const cell = (keep: (d: SeriesDay) => boolean) => {
      const v = open.filter(keep).map((d) => d.sales);
      return v.length ? median(v) : null;
    };
    return {
      engine: 'median_weekday_promo',
      params: {
        byPromoWeekday: [0, 1].map((p) =>
          Array.from({ length: 7 }, (_, w) => cell((d) => Number(d.promo) === p && weekdayOf(d.date) === w)),
        ),
        byWeekday: Array.from({ length: 7 }, (_, w) => cell((d) => weekdayOf(d.date) === w)),
        overall: median(open.map((d) => d.sales)),
      },
    };
  },
  predict(model, days) {
    const { byPromoWeekday, byWeekday, overall } = model.params;
    return days.map((d) => {
      const w = weekdayOf(d.date);
      return point(d.date, d.open ? (byPromoWeekday[Number(d.promo)]![w] ?? byWeekday[w] ?? overall) : 0);
    });
  },
};
