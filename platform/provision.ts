// Brings every store up to the schema this code expects: Postgres migrations, the GCS bucket,
// the BigQuery dataset and tables. Idempotent; safe to run from several processes.
import { WAREHOUSE_TABLES, type WarehouseTableSpec } from '../db/warehouse-tables.ts';
import type { Config } from './config.ts';
import { migrate } from './migrations.ts';
import { createPool } from './postgres.ts';
import { ObjectStore } from './storage.ts';
import { Warehouse } from './warehouse.ts';

export interface ProvisionReport {
  migrationsApplied: string[];
  bucket: string;
  dataset: string;
}

export async function provision(cfg: Config): Promise<ProvisionReport> {
  const pool = createPool(cfg.postgres, 'retailflow-provision');
  try {
    const store = new ObjectStore(cfg.gcs);
    const warehouse = new Warehouse(cfg.bigquery);
    const [migrationsApplied] = await Promise.all([
      migrate(pool),
      store.ensureBucket(),
      warehouse
        .ensureDataset()
        .then(() =>
          Promise.all(
            Object.entries(WAREHOUSE_TABLES).map(([name, spec]: [string, WarehouseTableSpec]) =>
              warehouse.ensureTable(
                name,
                spec.schema,
                spec.partitionBy ? { timePartitioning: { type: 'DAY', field: spec.partitionBy } } : {},
              ),
            ),
          ),
        ),
    ]);
    return { migrationsApplied, bucket: store.bucketName, dataset: `${warehouse.projectId}.${warehouse.datasetId}` };
  } finally {
    await pool.end();
  }
}
