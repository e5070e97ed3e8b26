// Liveness (/healthz: the process answers) and readiness (/readyz: every service answers).
import { createRoute, z } from '@hono/zod-openapi';
import { pingPostgres } from '../../platform/postgres.ts';
import type { ApiDeps } from '../deps.ts';
import { json, router } from '../openapi.ts';

const CHECK_TIMEOUT_MS = 3_000;

const ServiceStatus = z.object({ up: z.boolean(), latencyMs: z.number(), error: z.string().optional() });
type ServiceStatus = z.output<typeof ServiceStatus>;
const Readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  services: z.object({ temporal: ServiceStatus, postgres: ServiceStatus, gcs: ServiceStatus, bigquery: ServiceStatus }),
});

const live = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['operations'],
  summary: 'The process answers',
  responses: { 200: json(z.object({ status: z.literal('ok') }), 'alive') },
});
const ready = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['operations'],
  summary: 'Every service the API needs answers',
  responses: { 200: json(Readiness, 'ready'), 503: json(Readiness, 'a service does not answer') },
});

async function probe(check: () => Promise<unknown>): Promise<ServiceStatus> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { up: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { up: false, latencyMs: Math.round(performance.now() - started), error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes({ temporal, pool, store, warehouse }: ApiDeps) {
  return router()
    .openapi(live, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(ready, async (c) => {
      const [t, p, g, b] = await Promise.all([
        probe(() => temporal.workflowService.getSystemInfo({})),
        probe(() => pingPostgres(pool)),
        probe(() => store.ping()),
        probe(() => warehouse.ping()),
      ]);
      const services = { temporal: t, postgres: p, gcs: g, bigquery: b };
      return Object.values(services).every((s) => s.up)
        ? c.json({ status: 'ready' as const, services }, 200)
        : c.json({ status: 'not_ready' as const, services }, 503);
    });
}
