// The store a route names must exist (404 otherwise). Shared by the forecast, registry and retrain routes.
import type pg from 'pg';
import { storeExists } from '../platform/sales.ts';
import { notFound } from './errors.ts';

export async function requireStore(pool: pg.Pool, id: number): Promise<void> {
  if (!(await storeExists(pool, id))) throw notFound(`no store ${id}`);
}
