// What activities need from the outside world, created once per worker process.
import type { Config } from '../platform/config.ts';
import { createPool, type Pool } from '../platform/postgres.ts';
import { ObjectStore } from '../platform/storage.ts';
import { Warehouse } from '../platform/warehouse.ts';

export interface Deps {
  pool: Pool;
  store: ObjectStore;
  warehouse: Warehouse;
}

export function createDeps(cfg: Config, applicationName: string): Deps {
  return { pool: createPool(cfg.postgres, applicationName), store: new ObjectStore(cfg.gcs), warehouse: new Warehouse(cfg.bigquery) };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.pool.end();
}
