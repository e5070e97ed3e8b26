// The segmentation reads every transaction and keeps one production model (as tabular training
// keeps one per model), so the tests that run them keep their Postgres tables in a schema of their
// own (search_path first): no other test's transactions, versions or runs are there. Tables not copied (api_keys, sales, ...) are public's.
import type { Config } from '../../platform/config.ts';
import { createPool, type Pool } from '../../platform/postgres.ts';
import type { RetailTransaction } from '../../ml/segmentation/cleaning.ts';
import { uniqueId } from './stack.ts';

const TABLES = [
  'transactions',
  'rejected_rows',
  'customer_features',
  'customer_segments',
  'segmentation_runs',
  'tabular_runs',
  'tabular_trials',
  'tabular_predictions',
  'models',
  'model_versions',
  'ga4_events',
];

export interface IsolatedSchema {
  /** The stack's configuration with Postgres URLs that resolve to the schema first. */
  cfg: Config;
  pool: Pool;
  drop(): Promise<void>;
}

export async function isolatedSchema(base: Config, prefix = 'seg'): Promise<IsolatedSchema> {
  const schema = uniqueId(prefix).replace(/-/g, '_');
  const admin = createPool(base.postgres, 'retailflow-test');
  await admin.query(`CREATE SCHEMA ${schema}`);
  for (const table of TABLES) await admin.query(`CREATE TABLE ${schema}.${table} (LIKE public.${table} INCLUDING ALL)`);
  const url = new URL(base.postgres.url);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  const cfg: Config = { ...base, postgres: { ...base.postgres, url: url.toString() } };
  const pool = createPool(cfg.postgres, 'retailflow-test');
  return {
    cfg,
    pool,
    async drop() {
      await pool.end();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/** The transactions as the cleaning reference takes them, in file order. */
export async function transactionsIn(pool: Pool): Promise<RetailTransaction[]> {
  const { rows } = await pool.query<{
    invoice_no: string;
    stock_code: string;
    description: string | null;
    quantity: number;
    invoice_ms: number;
    unit_price: string;
    customer_id: string | null;
    country: string;
  }>(
    `SELECT invoice_no, stock_code, description, quantity, (extract(epoch FROM invoice_date) * 1000)::float8 AS invoice_ms,
       unit_price::text AS unit_price, customer_id::text AS customer_id, country
     FROM transactions ORDER BY source, line`,
  );
  return rows.map((r) => ({
    invoiceNo: r.invoice_no,
    stockCode: r.stock_code,
    description: r.description,
    quantity: r.quantity,
    invoiceDate: r.invoice_ms,
    unitPrice: Number(r.unit_price),
    customerId: r.customer_id,
    country: r.country,
  }));
}
