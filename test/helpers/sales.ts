// Sales fixtures for integration tests: a few stores, and events in the API's shape.
import type pg from 'pg';

export const TEST_STORES = [1, 2, 3, 4, 5];

export async function seedStores(pool: pg.Pool, ids: number[] = TEST_STORES): Promise<void> {
  await pool.query(
    `INSERT INTO stores (store_id, store_type, assortment, promo2) SELECT id, 'a', 'a', false FROM unnest($1::int[]) AS id
     ON CONFLICT (store_id) DO NOTHING`, [ids]);
}

export function saleEvent(storeId: number, date: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { store_id: storeId, date, sales: 1000 + storeId, customers: 100 + storeId, open: 1, promo: 0, state_holiday: '0', school_holiday: 0, ...over };
}

/** One event per store and product for a date. */
export function dayOfEvents(date: string, products = ['p1', 'p2'], stores = TEST_STORES): Record<string, unknown>[] {
  return stores.flatMap((s) => products.map((product) => saleEvent(s, date, { product })));
}
