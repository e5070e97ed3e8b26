// GET /metrics: this process's metrics in the Prometheus text format, for Prometheus to scrape.
// Open like /healthz: it holds counts and latencies, no data and no secrets.
import { createRoute, z } from '@hono/zod-openapi';
import { registry } from '../../platform/metrics.ts';
import { router } from '../openapi.ts';

const scrape = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: "The API's metrics in the Prometheus text format (request latency per route, model cache, Node process)",
  responses: {
    200: {
      description: 'Prometheus exposition format, version 0.0.4',
      content: { 'text/plain': { schema: z.string() } },
    },
  },
});

export function metricsRoutes() {
  return router().openapi(scrape, async (c) =>
    c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }),
  );
}
