// The Postgres pool shared by activities and the API.
import pg from 'pg';
import type { Config } from './config.ts';

// DATE columns as 'YYYY-MM-DD' strings, never shifted by the process's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
// BIGINT counts fit in a double for everything this project stores.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Pool = pg.Pool;

export function createPool(cfg: Config['postgres'], applicationName = 'retailflow'): pg.Pool {
  return new pg.Pool({
    connectionString: cfg.url,
    max: cfg.poolMax,
    application_name: applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
}
