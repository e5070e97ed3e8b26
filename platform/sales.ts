// The sales side of Postgres as the API reaches it: the stores, and the events producers send,
// staged (sales_events) until dailyIngest validates and lands them. The sales rows themselves are
// written by platform/salesWarehouse.ts.
import type pg from 'pg';

export async function storeExists(pool: pg.Pool, storeId: number): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM stores WHERE store_id = $1', [storeId]);
  return Boolean(rowCount);
}

/** Stages events as sent (their day's dailyIngest validates them); `source` says who sent them. */
export async function stageSaleEvents(pool: pg.Pool, events: { date: string; payload: unknown }[], source: string): Promise<void> {
  await pool.query(
    'INSERT INTO sales_events (sale_date, payload, source) SELECT d, p, $3 FROM unnest($1::date[], $2::jsonb[]) AS t(d, p)',
    [events.map((e) => e.date), events.map((e) => JSON.stringify(e.payload)), source]);
}
