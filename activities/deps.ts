// What activities need from the outside world, created once per worker process.
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import { createPool, type Pool } from '../platform/postgres.ts';
import { ObjectStore } from '../platform/storage.ts';
import { Warehouse } from '../platform/warehouse.ts';
import { FitPool } from './training/fitPool.ts';

export interface Deps {
  pool: Pool;
  store: ObjectStore;
  warehouse: Warehouse;
  fitPool: FitPool;
}

/** The data stores alone, for code that never fits models (importers, the API). */
export type DataDeps = Pick<Deps, 'pool' | 'store' | 'warehouse'>;

export function createDeps(cfg: Config, applicationName: string, log?: Logger): Deps {
  return { pool: createPool(cfg.postgres, applicationName, log), store: new ObjectStore(cfg.gcs), warehouse: new Warehouse(cfg.bigquery), fitPool: new FitPool() };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await Promise.all([deps.pool.end(), deps.fitPool.close()]);
}
