// Moving sales from Postgres to GCS and on into BigQuery, for a date range. Shared by the daily
// ingest (one day) and the bulk importer (one month per load). Deterministic object names and a
// range-replacing load make every step safe to repeat.
import { WAREHOUSE_TABLES } from '../db/warehouse-tables.ts';
import type { Deps } from './deps.ts';

/** How a sales row that exists already is updated: the newest values win. */
export const SALES_UPSERT_CONFLICT = `ON CONFLICT (store_id, product, date) DO UPDATE SET sales = EXCLUDED.sales,
  customers = EXCLUDED.customers, open = EXCLUDED.open, promo = EXCLUDED.promo, state_holiday = EXCLUDED.state_holiday,
  school_holiday = EXCLUDED.school_holiday, ingested_at = now()`;

export const salesObjectName = (from: string, to: string): string =>
  from === to ? `exports/sales/date=${from}/sales.ndjson` : `exports/sales/range=${from}_${to}/sales.ndjson`;

/** Writes the range's rows from Postgres to one NDJSON object; returns the object name and row count. */
export async function exportSales({ pool, store }: Pick<Deps, 'pool' | 'store'>, from: string, to: string): Promise<{ objectName: string; rows: number }> {
  // Postgres renders each row as JSON itself: no per-row work in Node.
  const { rows } = await pool.query<{ line: string }>(
    `SELECT json_build_object('store_id', store_id, 'product', product, 'date', date, 'sales', sales, 'customers', customers,
       'open', open, 'promo', promo, 'state_holiday', state_holiday, 'school_holiday', school_holiday,
       'ingested_at', to_char(ingested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text AS line
     FROM sales WHERE date BETWEEN $1 AND $2 ORDER BY date, store_id, product`, [from, to]);
  const objectName = salesObjectName(from, to);
  await store.write(objectName, rows.length ? rows.map((r) => r.line).join('\n') + '\n' : '', 'application/x-ndjson');
  return { objectName, rows: rows.length };
}

/** Replaces the range's partitions of the BigQuery sales table with the exported object. */
export async function loadSales({ store, warehouse }: Pick<Deps, 'store' | 'warehouse'>, from: string, to: string): Promise<void> {
  await warehouse.replaceDateRange('sales', store.file(salesObjectName(from, to)), WAREHOUSE_TABLES.sales.schema, 'date', from, to);
}

export interface RangeCounts { postgres: number; gcs: number; bigquery: number }

export async function countSales({ pool, store, warehouse }: Deps, from: string, to: string): Promise<RangeCounts> {
  const [pg, object, bq] = await Promise.all([
    pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sales WHERE date BETWEEN $1 AND $2', [from, to]),
    store.read(salesObjectName(from, to)),
    warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${warehouse.table('sales')} WHERE date BETWEEN DATE(@from) AND DATE(@to)`, { from, to }),
  ]);
  let lines = 0;
  for (let i = object.indexOf(10); i !== -1; i = object.indexOf(10, i + 1)) lines++;
  return { postgres: pg.rows[0]?.n ?? 0, gcs: lines, bigquery: Number(bq[0]?.n ?? 0) };
}
