// Builds the API's dependencies and serves the app over HTTP until stopped.
import { serve, type ServerType } from '@hono/node-server';
import { Connection } from '@temporalio/client';
import type { Config } from '../platform/config.ts';
import { createDataDeps } from '../platform/deps.ts';
import { createLogger } from '../platform/logger.ts';
import { postgresConnection } from '../platform/postgres.ts';
import { keyRing } from '../platform/keys.ts';
import { ProductionModels } from '../platform/productionModels.ts';
import { armProphet } from '../platform/prophetWasm.ts';
import { createApp } from './app.ts';
import type { ApiDeps } from './deps.ts';
import { temporalClient, temporalConnectionOptions } from '../platform/temporal.ts';

export function createApiDeps(cfg: Config): ApiDeps {
  // Lazy: the API starts, and /readyz says so, even while Temporal is still coming up.
  const connection = Connection.lazy(temporalConnectionOptions(cfg.temporal));
  const log = createLogger('api', cfg.logLevel);
  // Serving predicts with production versions, prophet ones included.
  armProphet();
  const { pool, store, warehouse } = createDataDeps(cfg, 'retailflow-api', log);
  const models = new ProductionModels(pool, store, log);
  models.listen(postgresConnection(cfg.postgres));
  return {
    cfg,
    log,
    pool,
    models,
    keys: keyRing(cfg.api.keys, pool),
    temporal: temporalClient(cfg.temporal, connection),
    store,
    warehouse,
  };
}

export async function closeApiDeps(deps: ApiDeps): Promise<void> {
  await Promise.allSettled([deps.temporal.connection.close(), deps.models.close(), deps.pool.end()]);
}

export function startServer(deps: ApiDeps): Promise<ServerType> {
  const app = createApp(deps);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: deps.cfg.api.host, port: deps.cfg.api.port }, () =>
      resolve(server),
    );
    server.once('error', reject);
  });
}
