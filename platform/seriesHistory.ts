// A series' recent days from `sales`, up to its own latest day: what a retrain fits, what the API's
// forecasts assume the calendar from, and what the planners' chart shows.
import type pg from 'pg';
import { addDays, datesBetween } from '../domain/dates.ts';
import type { StateHoliday } from '../domain/holidays.ts';
import type { SeriesDay } from '../ml/forecast/types.ts';

/** The last `days` days of a series (oldest first), ending on its latest day; empty if it has none. */
export async function latestSeriesWindow(pool: pg.Pool, storeId: number, product: string, days: number): Promise<SeriesDay[]> {
  // The key leads with the date, so this walks back from the newest day and stops at the first
  // match (quick for a series that is current).
  const { rows: [latest] } = await pool.query<{ date: string }>(
    'SELECT date FROM sales WHERE store_id = $1 AND product = $2 ORDER BY date DESC LIMIT 1', [storeId, product]);
  if (!latest) return [];
  // The window's dates are probed in the key, not the whole table scanned.
  const { rows } = await pool.query<{ date: string; sales: number; open: boolean; promo: boolean; state_holiday: StateHoliday; school_holiday: boolean }>(
    `SELECT date, sales, open, promo, state_holiday, school_holiday FROM sales
     WHERE date = ANY($1::date[]) AND store_id = $2 AND product = $3 ORDER BY date`,
    [datesBetween(addDays(latest.date, 1 - days), latest.date), storeId, product]);
  return rows.map((r) => ({ date: r.date, sales: r.sales, open: r.open, promo: r.promo, stateHoliday: r.state_holiday, schoolHoliday: r.school_holiday }));
}
