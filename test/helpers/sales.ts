// Sales fixtures for integration tests: the sample stores (the events are scripts/data/saleEvents.ts).
import type pg from 'pg';
import { SAMPLE_STORES } from '../../scripts/data/saleEvents.ts';

export async function seedStores(pool: pg.Pool, ids: number[] = SAMPLE_STORES): Promise<void> {
  await pool.query(
    `INSERT INTO stores (store_id, store_type, assortment, promo2) SELECT id, 'a', 'a', false FROM unnest($1::int[]) AS id
     ON CONFLICT (store_id) DO NOTHING`,
    [ids],
  );
}
