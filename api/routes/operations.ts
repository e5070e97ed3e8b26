// GET /v1/operations: the Operations view's data, the key series and the firing alerts, read from
// Prometheus by the API. The page does not ask Prometheus itself: Prometheus listens on an internal
// address without auth or CORS, and this way the browser can only run these fixed queries.
import { createRoute, z } from '@hono/zod-openapi';
import { firingAlerts, KEY_SERIES, PrometheusUnavailable, rangeOf } from '../../platform/prometheus.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { errors, json, router } from '../openapi.ts';

const POINTS = 120;

const Operations = z
  .object({
    from: z.number().openapi({ description: 'Unix seconds' }),
    to: z.number(),
    step: z.number().openapi({ description: 'seconds between points' }),
    series: z.array(
      z.object({
        key: z.string(),
        title: z.string(),
        unit: z.enum(['seconds', 'count', 'ratio', 'per_second']),
        query: z.string().openapi({ description: 'the PromQL, also a panel of deploy/grafana/retailflow.json' }),
        lines: z.array(z.object({ label: z.string(), points: z.array(z.object({ t: z.number(), v: z.number() })) })),
      }),
    ),
    alerts: z.array(
      z.object({
        name: z.string(),
        summary: z.string(),
        since: z.string(),
        labels: z.record(z.string(), z.string()),
      }),
    ),
  })
  .openapi('Operations');

const route = createRoute({
  method: 'get',
  path: '/v1/operations',
  tags: ['operations'],
  summary:
    'Key operational series (API p99, ingest rows and rejections, fits, failed workflows, backlog) and firing alerts, from Prometheus',
  request: {
    query: z.object({
      hours: z
        .string()
        .optional()
        .transform((v) => (v === undefined ? 1 : Number(v)))
        .refine((n) => Number.isInteger(n) && n >= 1 && n <= 168, { error: 'must be a whole number from 1 to 168' })
        .openapi({ example: '1', description: 'how far back: 1 to 168 hours, default 1' }),
    }),
  },
  responses: { 200: json(Operations, 'the series over the last `hours`, and the alerts firing now'), ...errors(400) },
});

export function operationsRoutes({ cfg }: ApiDeps) {
  const base = cfg.metrics.prometheusUrl;
  return router().openapi(route, async (c) => {
    const { hours } = c.req.valid('query');
    const to = Math.floor(Date.now() / 1000);
    const from = to - hours * 3600;
    const step = Math.max(5, Math.round((to - from) / POINTS));
    try {
      const [series, alerts] = await Promise.all([
        Promise.all(
          KEY_SERIES.map(async (s) => ({
            key: s.key,
            title: s.title,
            unit: s.unit,
            query: s.expr,
            lines: await rangeOf(base, s, from, to, step),
          })),
        ),
        firingAlerts(base),
      ]);
      return c.json({ from, to, step, series, alerts }, 200);
    } catch (err) {
      if (err instanceof PrometheusUnavailable) throw new ApiError(503, 'prometheus_unavailable', err.message);
      throw err;
    }
  });
}
