// Sales in Postgres: the stores, the events producers send (staged in sales_events until their
// day's dailyIngest validates them) and the validated rows' upsert. Bulk copies and the exports to
// GCS and BigQuery are platform/salesWarehouse.ts.
import type pg from 'pg';
import type { SaleRow } from '../domain/sales.ts';
import type { StagedEvent } from '../domain/salesBatch.ts';
import { storeAttributes, type StoreAttributes } from '../ml/forecast/storeFeatures.ts';
import { SALES_UPSERT_CONFLICT } from './salesWarehouse.ts';

/** Whether `sales` holds any row (demo data is loaded only into an empty database). */
export async function hasSales(pool: pg.Pool): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM sales LIMIT 1');
  return Boolean(rowCount);
}

export async function storeExists(pool: pg.Pool, storeId: number): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM stores WHERE store_id = $1', [storeId]);
  return Boolean(rowCount);
}

/** Stages events as sent (their day's dailyIngest validates them); `source` says who sent them. */
export async function stageSaleEvents(
  pool: pg.Pool,
  events: { date: string; payload: unknown }[],
  source: string,
): Promise<void> {
  await pool.query(
    'INSERT INTO sales_events (sale_date, payload, source) SELECT d, p, $3 FROM unnest($1::date[], $2::jsonb[]) AS t(d, p)',
    [events.map((e) => e.date), events.map((e) => JSON.stringify(e.payload)), source],
  );
}

export async function storeIds(pool: pg.Pool): Promise<number[]> {
  const { rows } = await pool.query<{ store_id: number }>('SELECT store_id FROM stores');
  return rows.map((r) => r.store_id);
}

/** A day's staged events, in the order they arrived. */
export async function stagedSaleEvents(pool: pg.Pool, date: string): Promise<StagedEvent[]> {
  const { rows } = await pool.query<{ event_id: number; payload: unknown }>(
    'SELECT event_id, payload FROM sales_events WHERE sale_date = $1 ORDER BY event_id',
    [date],
  );
  return rows.map((e) => ({ eventId: e.event_id, payload: e.payload }));
}

/** Inserts the rows or updates them in place, keyed by (date, store, product). */
/** Returns how many of the rows are new (their key was not in `sales`). */
export async function upsertSales(pool: pg.Pool, rows: SaleRow[]): Promise<number> {
  if (!rows.length) return 0;
  // xmax = 0 marks a row this statement inserted rather than updated.
  const { rows: counted } = await pool.query<{ inserted: number }>(
    `WITH upserted AS (
       INSERT INTO sales (store_id, product, date, sales, customers, open, promo, state_holiday, school_holiday)
       SELECT * FROM unnest($1::int[], $2::text[], $3::date[], $4::int[], $5::int[], $6::bool[], $7::bool[], $8::char(1)[], $9::bool[])
       ${SALES_UPSERT_CONFLICT}
       RETURNING (xmax = 0) AS inserted)
     SELECT count(*) FILTER (WHERE inserted)::int AS inserted FROM upserted`,
    [
      rows.map((r) => r.storeId),
      rows.map((r) => r.product),
      rows.map((r) => r.date),
      rows.map((r) => r.sales),
      rows.map((r) => r.customers),
      rows.map((r) => r.open),
      rows.map((r) => r.promo),
      rows.map((r) => r.stateHoliday),
      rows.map((r) => r.schoolHoliday),
    ],
  );
  return counted[0]!.inserted;
}

/** The stores' attributes as the forecast engines take them (stores without a row are left out). */
export async function storeAttributesById(
  pool: pg.Pool,
  ids: readonly number[],
): Promise<Map<number, StoreAttributes>> {
  const { rows } = await pool.query<{
    store_id: number;
    store_type: string;
    assortment: string;
    competition_distance: number | null;
    competition_open_since_month: number | null;
    competition_open_since_year: number | null;
    promo2: boolean;
    promo2_since_week: number | null;
    promo2_since_year: number | null;
    promo_interval: string | null;
  }>('SELECT * FROM stores WHERE store_id = ANY($1::int[])', [ids]);
  return new Map(
    rows.map((r) => [
      r.store_id,
      storeAttributes(
        {
          storeType: r.store_type,
          assortment: r.assortment,
          competitionDistance: r.competition_distance,
          competitionOpenSinceMonth: r.competition_open_since_month,
          competitionOpenSinceYear: r.competition_open_since_year,
          promo2: r.promo2,
          promo2SinceWeek: r.promo2_since_week,
          promo2SinceYear: r.promo2_since_year,
          promoInterval: r.promo_interval,
        },
        `store ${r.store_id}`,
      ),
    ]),
  );
}
