// API entry point: `tsx api/main.ts`.
import { config } from '../platform/config.ts';
import { runMain } from '../platform/main.ts';
import { closeApiDeps, createApiDeps, startServer } from './server.ts';

runMain('api', async () => {
  const cfg = config();
  const deps = createApiDeps(cfg);
  const server = await startServer(deps);
  deps.log.info({ url: `http://${cfg.api.host}:${cfg.api.port}` }, 'api listening');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close();
      void closeApiDeps(deps).then(() => process.exit(0));
    });
  }
});
