// The three stores of truth every process reaches (Postgres, GCS, BigQuery), created once per process.
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { createPool, type Pool } from './postgres.ts';
import { ObjectStore } from './storage.ts';
import { Warehouse } from './warehouse.ts';

export interface DataDeps {
  pool: Pool;
  store: ObjectStore;
  warehouse: Warehouse;
}

export function createDataDeps(cfg: Config, applicationName: string, log?: Logger): DataDeps {
  return {
    pool: createPool(cfg.postgres, applicationName, log),
    store: new ObjectStore(cfg.gcs),
    warehouse: new Warehouse(cfg.bigquery),
  };
}

export async function closeDataDeps(deps: DataDeps): Promise<void> {
  await deps.pool.end();
}
