// Times every request into retailflow_http_request_duration_seconds, labelled with the route's
// pattern (`/v1/forecasts/:store/:product`), never the raw path: one series per route, not per store.
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { metrics, secondsSince } from '../platform/metrics.ts';

/** The pattern of the handler that answered; `unmatched` for a 404 no route knew. */
function routeOf(c: Parameters<MiddlewareHandler>[0]): string {
  const handler = matchedRoutes(c).findLast((r) => r.method !== 'ALL');
  return handler?.path ?? 'unmatched';
}

export const requestMetrics: MiddlewareHandler = async (c, next) => {
  const start = performance.now();
  try {
    await next();
  } finally {
    metrics.httpRequestSeconds.observe(
      { method: c.req.method, route: routeOf(c), status: String(c.res.status) },
      secondsSince(start),
    );
  }
};
