// Liveness (/healthz: the process answers) and readiness (/readyz: every service answers).
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';

const CHECK_TIMEOUT_MS = 3_000;

interface ServiceStatus { up: boolean; latencyMs: number; error?: string }

async function probe(check: () => Promise<unknown>): Promise<ServiceStatus> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS); }),
    ]);
    return { up: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { up: false, latencyMs: Math.round(performance.now() - started), error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes({ temporal, pool, store, warehouse }: ApiDeps) {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const [t, p, g, b] = await Promise.all([
        probe(() => temporal.workflowService.getSystemInfo({})),
        probe(() => pool.query('SELECT 1')),
        probe(() => store.ping()),
        probe(() => warehouse.ping()),
      ]);
      const services = { temporal: t, postgres: p, gcs: g, bigquery: b };
      const ready = Object.values(services).every((s) => s.up);
      return c.json({ status: ready ? 'ready' : 'not_ready', services }, ready ? 200 : 503);
    });
}
