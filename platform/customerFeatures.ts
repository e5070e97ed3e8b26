// A segmentation run's RFMT features in Postgres (customer_features), copied from the run's
// BigQuery features table so that the k fits read them without the warehouse. A copy replaces the
// run's rows in one transaction: a retry or a rerun leaves exactly the warehouse's rows.
import type { CustomerFeatures } from '../ml/segmentation/features.ts';
import type { DataDeps } from './deps.ts';
import { inTransaction, type Pool } from './postgres.ts';
import { segmentationTable } from './segmentationWarehouse.ts';

interface FeatureRow {
  customer_id: string;
  recency: number;
  frequency: number;
  monetary: number;
  tenure: number;
  interpurchase_time: number;
}

/** Copies the run's features from BigQuery into customer_features, replacing the run's rows; returns how many. */
export async function copyCustomerFeatures(
  { pool, warehouse }: Pick<DataDeps, 'pool' | 'warehouse'>,
  runId: string,
): Promise<number> {
  const rows = await warehouse.query<FeatureRow>(
    `SELECT customer_id, recency, frequency, monetary, tenure, interpurchase_time
     FROM ${warehouse.table(segmentationTable('features', runId))}`,
  );
  const column = <K extends keyof FeatureRow>(k: K) => rows.map((r) => r[k]);
  return inTransaction(pool, async (client) => {
    await client.query('DELETE FROM customer_features WHERE run_id = $1', [runId]);
    const { rowCount } = await client.query(
      `INSERT INTO customer_features (run_id, customer_id, recency, frequency, monetary, tenure, interpurchase_time)
       SELECT $1, * FROM unnest($2::text[], $3::int[], $4::int[], $5::float8[], $6::int[], $7::float8[])`,
      [
        runId,
        column('customer_id'),
        column('recency'),
        column('frequency'),
        column('monetary'),
        column('tenure'),
        column('interpurchase_time'),
      ],
    );
    return rowCount ?? 0;
  });
}

/** The run's features, ordered by customer id as customerFeatures() orders them (code points, not the locale). */
export async function readCustomerFeatures(pool: Pool, runId: string): Promise<CustomerFeatures[]> {
  const { rows } = await pool.query<FeatureRow>(
    `SELECT customer_id, recency, frequency, monetary, tenure, interpurchase_time
     FROM customer_features WHERE run_id = $1 ORDER BY customer_id COLLATE "C"`,
    [runId],
  );
  return rows.map((r) => ({
    customerId: r.customer_id,
    recency: r.recency,
    frequency: r.frequency,
    monetary: r.monetary,
    tenure: r.tenure,
    interpurchaseTime: r.interpurchase_time,
  }));
}
