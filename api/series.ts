// The store and product a route names: parsed from the path or query (400 naming the field), and
// the store checked to exist (404). Shared by the forecast, registry and retrain routes.
import type pg from 'pg';
import { PRODUCT_NAME } from '../contracts/sales.ts';
import { ApiError } from './errors.ts';

export function parseStoreId(raw: string | undefined, field: string): number {
  const n = Number(raw);
  if (!raw || !/^\d{1,9}$/.test(raw) || n < 1) throw new ApiError(400, 'invalid_request', `${field} must be a store number (a whole number >= 1), got "${raw ?? ''}"`, field);
  return n;
}

export function parseProduct(raw: string | undefined, field: string): string {
  if (!raw || !PRODUCT_NAME.test(raw)) throw new ApiError(400, 'invalid_request', `${field} must be a product name (letters, digits, _ . -), got "${raw ?? ''}"`, field);
  return raw;
}

export async function requireStore(pool: pg.Pool, id: number): Promise<void> {
  const { rowCount } = await pool.query('SELECT 1 FROM stores WHERE store_id = $1', [id]);
  if (!rowCount) throw new ApiError(404, 'not_found', `no store ${id}`);
}
