// A worker process's /metrics: the application's registry followed by the Temporal SDK's own
// metrics, which the SDK's runtime serves on a loopback port of its own. One scrape target per
// process, as for the API.
import http from 'node:http';
import net from 'node:net';
import type { Logger } from './logger.ts';
import { registry } from './metrics.ts';

/** A loopback port nothing listens on now: where the SDK's exporter binds (it cannot report a port it chose). */
export async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The exposition text of this process: the registry, then `extra` (the SDK's), each as it answers. */
export async function metricsText(extra?: string): Promise<string> {
  const own = await registry.metrics();
  if (!extra) return own;
  const res = await fetch(extra, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(`${extra} answered ${res.status}`);
  return `${own}\n${await res.text()}`;
}

export interface MetricsServer {
  url: string;
  close: () => Promise<void>;
}

/** Serves GET /metrics on host:port (port 0, or a port taken: any free one, logged). */
export async function serveMetrics(host: string, port: number, log: Logger, sdkUrl?: string): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    metricsText(sdkUrl).then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => {
        log.warn({ error: err.message }, 'metrics scrape failed');
        res.writeHead(503, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${err.message}\n`);
      },
    );
  });
  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, host, resolve);
    });
  try {
    await listen(port);
  } catch (err) {
    // Several worker processes started with one environment (a scale-out bench, a second worker by
    // hand): the later ones serve on a free port, said in their log, instead of not starting.
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
    log.warn({ port }, 'metrics port taken (another worker process?); serving /metrics on a free port instead');
    await listen(0);
  }
  const { port: bound } = server.address() as net.AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`;
  log.info({ url }, 'metrics served');
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
