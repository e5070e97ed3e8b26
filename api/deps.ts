// What the API needs: configuration, a Temporal client and the adapters it reads through.
import type { Client } from '@temporalio/client';
import type { Config } from '../platform/config.ts';
import type { KeyRing } from '../platform/keys.ts';
import type { Logger } from '../platform/logger.ts';
import type { Pool } from '../platform/postgres.ts';
import type { ProductionModels } from '../platform/productionModels.ts';
import type { ObjectStore } from '../platform/storage.ts';
import type { Warehouse } from '../platform/warehouse.ts';

export interface ApiDeps {
  cfg: Config;
  log: Logger;
  temporal: Client;
  pool: Pool;
  store: ObjectStore;
  warehouse: Warehouse;
  /** The production forecast models, in memory. */
  models: ProductionModels;
  /** Where presented API keys are looked up. */
  keys: KeyRing;
}
