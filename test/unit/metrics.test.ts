import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { pino } from 'pino';
import { requestMetrics } from '../../api/requestMetrics.ts';
import { serveMetrics } from '../../platform/metricsServer.ts';
import { countTrained, registry } from '../../platform/metrics.ts';
import { sampleValue } from '../helpers/scrape.ts';

const COUNT = 'retailflow_http_request_duration_seconds_count';

describe('application metrics', () => {
  const app = new Hono()
    .use(requestMetrics)
    .get('/v1/forecasts/:store/:product', (c) => c.json({ ok: true }))
    .post('/v1/fails', () => {
      throw new Error('boom');
    });

  it('times requests by route pattern, never by raw path', async () => {
    const before = sampleValue(await registry.metrics(), COUNT, { route: '/v1/forecasts/:store/:product' });
    for (const store of [1, 2, 3]) assert.equal((await app.request(`/v1/forecasts/${store}/all`)).status, 200);
    const text = await registry.metrics();
    assert.equal(
      sampleValue(text, COUNT, { method: 'GET', route: '/v1/forecasts/:store/:product', status: '200' }) - before,
      3,
    );
    assert.doesNotMatch(text, /route="\/v1\/forecasts\/1\/all"/);
  });

  it('labels a path no route knows "unmatched" and counts a failing handler with its status', async () => {
    assert.equal((await app.request('/no/such/path/42')).status, 404);
    assert.equal((await app.request('/v1/fails', { method: 'POST' })).status, 500);
    const text = await registry.metrics();
    assert.ok(sampleValue(text, COUNT, { route: 'unmatched', status: '404' }) >= 1);
    assert.ok(sampleValue(text, COUNT, { route: '/v1/fails', status: '500' }) >= 1);
    assert.doesNotMatch(text, /no\/such\/path/);
  });

  it('counts a training step: fitted and unfit series per engine, and promotions', async () => {
    const text0 = await registry.metrics();
    countTrained('fast', { fitted: 7, unfit: 2, promoted: 3 });
    const text = await registry.metrics();
    const delta = (name: string, labels: Record<string, string>) =>
      sampleValue(text, name, labels) - sampleValue(text0, name, labels);
    assert.equal(delta('retailflow_series_fitted_total', { engine: 'fast', outcome: 'fitted' }), 7);
    assert.equal(delta('retailflow_series_fitted_total', { engine: 'fast', outcome: 'unfit' }), 2);
    assert.equal(delta('retailflow_promotions_total', { kind: 'sales_forecast' }), 3);
  });
});

describe('a worker process /metrics listener', () => {
  it('serves the registry, and takes a free port when its port is taken', async () => {
    const log = pino({ level: 'silent' });
    const first = await serveMetrics('127.0.0.1', 0, log);
    const port = Number(new URL(first.url).port);
    const second = await serveMetrics('127.0.0.1', port, log);
    try {
      assert.notEqual(second.url, first.url);
      for (const { url } of [first, second]) {
        const res = await fetch(url);
        assert.equal(res.status, 200);
        assert.match(await res.text(), /^# HELP retailflow_ingest_rows_total/m);
      }
      assert.equal((await fetch(first.url.replace('/metrics', '/other'))).status, 404);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
