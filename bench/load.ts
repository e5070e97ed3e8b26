// POSTs under load with autocannon, as every API benchmark measures: a JIT warm-up first (not
// reported), then the figures a result line carries.
import autocannon from 'autocannon';

const CONNECTIONS = 16;

/** `seconds` of POSTs of `body` (a function: a new body per request) to `url` on 16 connections. */
export async function postUnderLoad(url: string, body: string | (() => string), seconds: number) {
  const run = (duration: number) =>
    autocannon({
      url,
      method: 'POST',
      connections: CONNECTIONS,
      duration,
      headers: { 'content-type': 'application/json' },
      ...(typeof body === 'string' ? { body } : { requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }] }),
    });
  await run(2);
  const r = await run(seconds);
  return {
    tool: 'autocannon',
    connections: CONNECTIONS,
    seconds,
    requests: r.requests.total,
    req_per_s: Math.round(r.requests.average),
    latency_ms: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    non_2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    note: 'autocannon runs on the same 2 cores as the API',
  };
}
