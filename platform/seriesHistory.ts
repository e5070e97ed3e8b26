// Series' days from `sales`: one series' recent days, up to its own latest day (what a retrain fits,
// what the API's forecasts assume the calendar from, what the planners' chart shows), and every
// series in a training window (the weekly training's snapshot).
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { invalidInput } from '../contracts/failures.ts';
import { addDays, dateProblem, datesBetween } from '../domain/dates.ts';
import { PRODUCT_NAME } from '../domain/sales.ts';
import type { StateHoliday } from '../domain/holidays.ts';
import type { SeriesDay } from '../ml/forecast/types.ts';
import { COPY_RAW_LINES } from './salesWarehouse.ts';

/** The last `days` days of a series (oldest first), ending on its latest day; empty if it has none. */
export async function latestSeriesWindow(
  pool: pg.Pool,
  storeId: number,
  product: string,
  days: number,
): Promise<SeriesDay[]> {
  // The key leads with the date, so this walks back from the newest day and stops at the first
  // match (quick for a series that is current).
  const {
    rows: [latest],
  } = await pool.query<{ date: string }>(
    'SELECT date FROM sales WHERE store_id = $1 AND product = $2 ORDER BY date DESC LIMIT 1',
    [storeId, product],
  );
  if (!latest) return [];
  // The window's dates are probed in the key, not the whole table scanned.
  const { rows } = await pool.query<{
    date: string;
    sales: number;
    open: boolean;
    promo: boolean;
    state_holiday: StateHoliday;
    school_holiday: boolean;
  }>(
    `SELECT date, sales, open, promo, state_holiday, school_holiday FROM sales
     WHERE date = ANY($1::date[]) AND store_id = $2 AND product = $3 ORDER BY date`,
    [datesBetween(addDays(latest.date, 1 - days), latest.date), storeId, product],
  );
  return rows.map((r) => ({
    date: r.date,
    sales: r.sales,
    open: r.open,
    promo: r.promo,
    stateHoliday: r.state_holiday,
    schoolHoliday: r.school_holiday,
  }));
}

export interface SeriesWindow {
  /** The last day, YYYY-MM-DD. */
  asOf: string;
  /** Days up to asOf, or 'full'. */
  windowDays: number | 'full';
  /** Only these products (default: all). */
  products?: string[];
  /** Days after asOf whose planned calendar each line carries (as "plan"), where the store has one. */
  planDays?: number;
  /** Only the stores from `first` to `last` (one shard of a training run). */
  stores?: { first: number; last: number };
}

function windowConditions(w: SeriesWindow): string[] {
  const asOfProblem = dateProblem(w.asOf, 'past');
  if (asOfProblem) throw invalidInput('asOf', asOfProblem);
  const badProduct = w.products?.find((p) => !PRODUCT_NAME.test(p));
  if (badProduct !== undefined) throw invalidInput('products', `not a product name: ${JSON.stringify(badProduct)}`);
  const conditions = [`date <= DATE '${w.asOf}'`];
  if (w.windowDays !== 'full') conditions.push(`date > DATE '${addDays(w.asOf, -w.windowDays)}'`);
  if (w.products?.length) conditions.push(`product IN (${w.products.map((p) => `'${p}'`).join(', ')})`);
  return conditions;
}

/**
 * How many series each store has in the window, in store order: what a training run cuts its shards
 * from (a shard is a range of stores), read off the key without building a single series. The
 * distinct series are hashed first: count(DISTINCT product) sorted every row of the window (the 12M
 * rows of 100,000 series spilled to disk, 3.5x slower).
 */
export async function windowSeriesPerStore(pool: pg.Pool, w: SeriesWindow): Promise<[number, number][]> {
  const { rows } = await pool.query<{ store_id: number; series: number }>(
    `SELECT store_id, count(*)::int AS series
     FROM (SELECT DISTINCT store_id, product FROM sales WHERE ${windowConditions(w).join(' AND ')}) s
     GROUP BY store_id ORDER BY store_id`,
  );
  return rows.map((r) => [r.store_id, r.series]);
}

/**
 * A store range's rows are found by probing each day of the window in the key (date, store_id, ...),
 * not by scanning the window: one shard reads its own stores' days only.
 */
async function storeRangeCondition(client: pg.PoolClient, w: SeriesWindow): Promise<string | undefined> {
  if (!w.stores) return undefined;
  const { first, last } = w.stores;
  for (const [field, v] of [
    ['stores.first', first],
    ['stores.last', last],
  ] as const)
    if (!Number.isInteger(v)) throw invalidInput(field, `must be a whole number, got ${v}`);
  let from = w.windowDays === 'full' ? undefined : addDays(w.asOf, 1 - w.windowDays);
  if (from === undefined) {
    const { rows } = await client.query<{ first: string | null }>('SELECT min(date)::text AS first FROM sales');
    from = rows[0]?.first ?? w.asOf;
  }
  const days = from <= w.asOf ? datesBetween(from, w.asOf) : [];
  return `date = ANY('{${days.join(',')}}'::date[]) AND store_id BETWEEN ${first} AND ${last}`;
}

/**
 * Every series' days in the window, one JSON line each, in store and product order: the weekly
 * training's snapshot. A line is {"store_id" : 1, "product" : "p01", "first" : "2015-03-01", "days" :
 * "5263op,0,4810opa", "offsets" : null}\n, with "plan" : [...] or null after them when planDays is given
 * and some store has a plan then: the days from `first` as one string of tokens (activities/training/
 * shardLine.ts reads them), their offsets from `first` only where a day is missing; about 8 times
 * fewer bytes than an array per day, so cheaper to build, upload and parse. Postgres builds the lines;
 * Node only cuts them. asOf and the products are inlined into COPY (it takes no parameters), so checked here.
 */
export async function* seriesWindowLines(pool: pg.Pool, w: SeriesWindow): AsyncGenerator<string> {
  const conditions = windowConditions(w);
  const client = await pool.connect();
  let read = false;
  try {
    // The read is one plan run once: JIT compiling it cost more than it saved (~0.19 s a shard).
    // A shard's rows (~6 MB to sort) spilled to disk at the default 4 MB of sort memory.
    await client.query('BEGIN READ ONLY');
    await client.query("SET LOCAL jit = off; SET LOCAL work_mem = '32MB'");
    const stores = await storeRangeCondition(client, w);
    if (stores) conditions.push(stores);
    // A day's token: sales, then its flags; the days of a series in date order from its first.
    const grouped = `SELECT store_id, product, min(date) AS first, max(date) AS last, count(*)::int AS n,
      string_agg(sales::text || CASE WHEN open THEN 'o' ELSE '' END || CASE WHEN promo THEN 'p' ELSE '' END
        || CASE WHEN school_holiday THEN 's' ELSE '' END || CASE WHEN state_holiday = '0' THEN '' ELSE state_holiday::text END,
        ',' ORDER BY date) AS days
    FROM sales WHERE ${conditions.join(' AND ')} GROUP BY store_id, product`;
    // Only a series with a missing day reads its dates again, probing each day of its span in the key.
    const offsets = `CASE WHEN s.n = s.last - s.first + 1 THEN NULL ELSE (
        SELECT json_agg(date - s.first ORDER BY date) FROM sales
        WHERE date = ANY(ARRAY(SELECT generate_series(s.first, s.last, interval '1 day')::date))
          AND store_id = s.store_id AND product = s.product) END`;
    const planFrom = addDays(w.asOf, 1);
    const planTo = addDays(w.asOf, w.planDays ?? 0);
    // Only a window with planned days pays for the join.
    const planned =
      w.planDays !== undefined &&
      (await client.query('SELECT 1 FROM planned_calendar WHERE date BETWEEN $1 AND $2 LIMIT 1', [planFrom, planTo]))
        .rowCount;
    const sql = `COPY (SELECT json_build_object('store_id', s.store_id, 'product', s.product, 'first', s.first,
          'days', s.days, 'offsets', ${offsets}${planned ? ", 'plan', p.plan" : ''})
        FROM (${grouped}) s ${
          planned
            ? `LEFT JOIN LATERAL (
            SELECT json_agg(json_build_array(date, open, promo, state_holiday, school_holiday) ORDER BY date) AS plan
            FROM planned_calendar c
            WHERE c.store_id = s.store_id AND c.date BETWEEN DATE '${planFrom}' AND DATE '${planTo}') p ON true`
            : ''
        }
        ORDER BY s.store_id, s.product) TO STDOUT ${COPY_RAW_LINES}`;
    let rest = '';
    for await (const chunk of client.query(copyTo(sql)) as AsyncIterable<Buffer>) {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      for (const part of parts) yield `${part}\n`;
    }
    await client.query('COMMIT');
    read = true;
  } finally {
    // A reader that stopped early (its upload failed) left the COPY unfinished: that connection is closed, not reused (withClient).
    client.release(read ? undefined : new Error('series window read cut short'));
  }
}
