// The page's Operations view in a real browser against the test stack's real Prometheus, scraping
// a real API server: after forecast requests, the API p99 chart is drawn with a line for the
// route, every key series has its card, and the alerts line says what fires. Also the route's
// answers when asked wrong or when Prometheus does not answer.
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps, startServer } from '../../api/server.ts';
import { KEY_SERIES } from '../../platform/prometheus.ts';
import { findChromium } from '../../scripts/stack/chromium.ts';
import { freePort, testConfig } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';
import { SHOTS } from '../helpers/pageSteps.ts';

describe("the page's Operations view", () => {
  const targetFile = path.join(testConfig().stack.dataDir, 'prometheus', 'targets', 'operations-page-test.json');
  let deps: ApiDeps;
  let server: ServerType;
  let browser: Browser;
  let url: string;

  before(async () => {
    const executablePath = findChromium();
    assert.ok(executablePath, 'chromium is missing: `npm test` installs it when it runs test/browser');
    const port = await freePort();
    deps = createApiDeps(testConfig({ API_PORT: String(port) }));
    server = await startServer(deps);
    url = `http://127.0.0.1:${port}/`;
    await mkdir(path.dirname(targetFile), { recursive: true });
    await writeFile(targetFile, JSON.stringify([{ targets: [`127.0.0.1:${port}`], labels: { service: 'api' } }]));
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    await mkdir(SHOTS, { recursive: true });
  });

  after(async () => {
    await rm(targetFile, { force: true });
    await browser?.close();
    server?.close();
    await closeApiDeps(deps);
  });

  it('draws the API p99 per route from Prometheus, a card per key series, and the firing alerts', async () => {
    const prometheus = testConfig().metrics.prometheusUrl;
    const instance = new URL(url).host;
    await until('Prometheus scraping the API server', async () => {
      const q = new URLSearchParams({ query: `up{instance="${instance}"} == 1` }).toString();
      const body = (await (await fetch(`${prometheus}/api/v1/query?${q}`)).json()) as { data: { result: unknown[] } };
      return body.data.result.length > 0;
    });
    // Requests go on until a scrape has seen the route's counter grow and the p99 rule has a value.
    await until('Prometheus recording the API p99 of /v1/forecast', async () => {
      const forecast = await fetch(`${url}v1/forecast`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ store_id: 987654, product_name: 'all' }]),
      });
      assert.equal(forecast.status, 404);
      const body = (await (await fetch(`${url}v1/operations`)).json()) as {
        series: { key: string; lines: { label: string }[] }[];
      };
      return body.series.find((s) => s.key === 'api_p99')?.lines.some((l) => l.label === '/v1/forecast');
    });

    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    try {
      await page.goto(`${url}#operations`);
      const p99 = page.locator('[data-series="api_p99"] svg');
      await p99.waitFor();
      assert.ok((await page.locator('[data-series="api_p99"] svg [aria-roledescription="line mark"]').count()) >= 1);
      assert.match((await page.locator('[data-series="api_p99"]').innerHTML()) ?? '', /\/v1\/forecast/);
      assert.equal(await page.locator('#ops-charts article').count(), KEY_SERIES.length);
      const alerts = (await page.locator('#ops-alerts').textContent()) ?? '';
      assert.ok(/No alert is firing\.|Retailflow\w+/.test(alerts), `alerts line: ${alerts}`);
      assert.deepEqual(problems, []);
      await page.screenshot({ path: path.join(SHOTS, 'operations.png'), fullPage: true });
    } catch (err) {
      await page.screenshot({ path: path.join(SHOTS, 'operations-failed.png'), fullPage: true }).catch(() => undefined);
      throw err;
    } finally {
      await page.close();
    }
  });

  it('answers 400 naming `hours` for a bad range, and 503 when Prometheus does not answer', async () => {
    const bad = await createApp(deps).request('/v1/operations?hours=0');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { field: string } }).error.field, 'hours');
    const away = createApiDeps(testConfig({ PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}` }));
    try {
      const res = await createApp(away).request('/v1/operations');
      assert.equal(res.status, 503);
      assert.match(
        ((await res.json()) as { error: { message: string } }).error.message,
        /Prometheus at .* does not answer/,
      );
    } finally {
      await closeApiDeps(away);
    }
  });
});
