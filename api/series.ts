// The store a route names must exist (404 otherwise). Shared by the forecast, registry and retrain routes.
import type pg from 'pg';
import { notFound } from './errors.ts';

export async function requireStore(pool: pg.Pool, id: number): Promise<void> {
  const { rowCount } = await pool.query('SELECT 1 FROM stores WHERE store_id = $1', [id]);
  if (!rowCount) throw notFound(`no store ${id}`);
}
