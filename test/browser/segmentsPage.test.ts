// The page's Segments view in a real browser (Debian chromium through playwright-core) against the
// real test stack, with two versions made by the real ml/segmentation code from a generated file:
// the production version named, its customers plotted by segment, each segment's profile and
// label, the last run's silhouette by k and its changes; the run button asks for the admin key,
// then runs customerSegmentation with a real worker on imported transactions and shows the outcome.
// Screenshots are written to test-results/web/.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps, startServer } from '../../api/server.ts';
import { SEGMENTATION_MODEL, SEGMENTATION_RUN_PREFIX } from '../../contracts/segmentation.ts';
import { createPool, type Pool } from '../../platform/postgres.ts';
import { importTransactions } from '../../platform/transactionImport.ts';
import { generateRetail, RETAIL_HEADER, retailCsvLine } from '../../scripts/data/onlineRetailGenerator.ts';
import { findChromium } from '../../scripts/stack/chromium.ts';
import { withWorker } from '../../workers/inProcess.ts';
import {
  fitSegmentation,
  generatedTransactions,
  registerFitted,
  type FittedSegmentation,
} from '../helpers/segmentation.ts';
import { freePort, testConfig, uniqueId } from '../helpers/stack.ts';
import { SHOTS, steps } from '../helpers/pageSteps.ts';

const ADMIN = 'admin-key-for-segment-page-tests';

/** Runs a page's steps; when one fails, saves a screenshot and adds what the page's error line says. */

describe("the page's Segments view", () => {
  let pool: Pool;
  let apiDeps: ApiDeps;
  let server: ServerType;
  let browser: Browser;
  let url: string;
  let latest: FittedSegmentation;
  let versions: { first: number; second: number };
  const secondRun = uniqueId(`${SEGMENTATION_RUN_PREFIX}page-test-b`);

  before(async () => {
    const executablePath = findChromium();
    assert.ok(executablePath, 'chromium is missing: `npm test` installs it when it runs test/browser');
    const cfg = testConfig({ API_KEYS: `planner:admin:${ADMIN}` });
    pool = createPool(cfg.postgres, 'retailflow-test');
    await pool.query(`UPDATE model_versions SET stage = 'archived' WHERE model = $1 AND stage = 'production'`, [
      SEGMENTATION_MODEL,
    ]);
    const transactions = generatedTransactions({ seed: 21, customers: 400, rows: 25_000 });
    const first = await registerFitted(
      pool,
      uniqueId(`${SEGMENTATION_RUN_PREFIX}page-test-a`),
      fitSegmentation(transactions, 3, 1),
    );
    latest = fitSegmentation(transactions, 4, 2, [2, 3, 4, 5, 6]);
    const second = await registerFitted(pool, secondRun, latest);
    versions = { first: first.version, second: second.version };

    const port = await freePort();
    apiDeps = createApiDeps(testConfig({ API_KEYS: `planner:admin:${ADMIN}`, API_PORT: String(port) }));
    server = await startServer(apiDeps);
    url = `http://127.0.0.1:${port}/`;
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    await mkdir(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await Promise.allSettled([apiDeps && closeApiDeps(apiDeps), pool?.end()]);
  });

  it('shows the production version, its customers by segment, the profiles, the last run and its changes', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await steps(page, 'segments', async () => {
      await page.goto(url);
      await page.click('nav a[href="#segments"]');
      const subtitle = page.locator('#segments-subtitle');
      await subtitle.filter({ hasText: `version ${versions.second}` }).waitFor();
      assert.match(
        (await subtitle.textContent()) ?? '',
        new RegExp(`k = 4 · silhouette ${latest.metrics.silhouette.toFixed(3)} · ${latest.customers.length} customers`),
      );

      // Every customer of the sample is a point; each point names its segment.
      const points = page.locator('#customers-chart svg [aria-roledescription="point"]');
      await points.nth(latest.customers.length - 1).waitFor();
      assert.equal(await points.count(), latest.customers.length);
      const someone = latest.customers[0]!;
      const label = latest.params.profiles[latest.segments[0]!]!.label;
      assert.match(
        (await page
          .locator(`#customers-chart svg [aria-label*="customer: ${someone.customerId};"]`)
          .getAttribute('aria-label')) ?? '',
        new RegExp(`segment: ${latest.segments[0]} · ${label};`),
      );
      assert.match(
        (await page.locator('#customers-chart svg').textContent()) ?? '',
        /log scale/,
        'the spend axis says it is on a log scale',
      );

      // One row per segment: its label, size and medians.
      const rows = page.locator('#segment-profiles tbody tr');
      assert.equal(await rows.count(), 4);
      for (const p of latest.params.profiles) {
        const row = page.locator(`#segment-profiles tr[data-segment="${p.segment}"]`);
        assert.match((await row.textContent()) ?? '', new RegExp(`^${p.segment} · ${p.label}${p.size}`));
      }

      // The last run: a point per k fitted, the kept one marked; what changed against the previous version.
      const ks = page.locator('#silhouette-chart svg [aria-roledescription="point"]');
      await ks.nth(4).waitFor();
      assert.equal(await ks.count(), 5);
      assert.match((await page.locator('#last-run').textContent()) ?? '', new RegExp(`Run ${secondRun} · done`));
      assert.match(
        (await page.locator('#silhouette-chart svg [aria-label*="k: 4;"]').getAttribute('aria-label')) ?? '',
        /kept: kept/,
      );
      const changes = (await page.locator('#segment-changes').textContent()) ?? '';
      assert.match(changes, new RegExp(`Version ${versions.second} went to production`));
      assert.match(
        changes,
        new RegExp(
          `Against version ${versions.first} \\(silhouette \\d\\.\\d{3}\\): [\\d,]+ customers changed segment, [\\d,]+ kept theirs, 0 are new, 0 are gone\\.`,
        ),
      );
      await page.screenshot({ path: path.join(SHOTS, '8-segments.png'), fullPage: true });

      // Running segmentation needs the admin key: without it the page says so, in words.
      await page.click('#run-segmentation');
      await page
        .locator('#error-text')
        .filter({ hasText: /needs the admin API key/ })
        .waitFor();

      // The runs view lists segmentation runs with their outcome.
      await page.click('nav a[href="#runs"]');
      await page.selectOption('#run-kind', 'segmentation');
      const run = page.locator('#runs-list li[data-kind="segmentation"]').filter({ hasText: secondRun });
      await run.waitFor();
      assert.match(
        (await run.textContent()) ?? '',
        new RegExp(`done.*${latest.customers.length} customers.*version ${versions.second} promoted`, 's'),
      );
    });
    assert.deepEqual(problems, [], 'no script errors');
  });

  it('runs segmentation from the button: the stage while it runs, then the new version and its run', async () => {
    const cfg = testConfig();
    // The imported transactions the workflow segments, as `npm run data -- import-retail` leaves them.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-segments-page-'));
    const lines = [RETAIL_HEADER];
    generateRetail({ seed: 5, customers: 250, rows: 10_000 }, (l) => lines.push(retailCsvLine(l, 'uci')));
    await writeFile(path.join(dir, 'online_retail.csv'), `${lines.join('\n')}\n`);
    await importTransactions(pool, path.join(dir, 'online_retail.csv'));

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await steps(page, 'segments-run', async () => {
      await page.goto(`${url}#segments`);
      await page.click('summary');
      await page.fill('#api-key', ADMIN);
      await withWorker(cfg, cfg.temporal.taskQueues.training, async () => {
        await page.click('#run-segmentation');
        await page.locator('#segmentation-status progress').waitFor();
        await page
          .locator('#segmentation-status')
          .filter({ hasText: /Version \d+ (is in production|stays in staging)/ })
          .waitFor({ timeout: 120_000 });
      });
      const { rows } = await pool.query<{ run_id: string; model_version: number; registration: { promoted: boolean } }>(
        `SELECT run_id, model_version, registration FROM segmentation_runs ORDER BY started_at DESC LIMIT 1`,
      );
      const run = rows[0]!;
      assert.ok(
        run.run_id.startsWith(SEGMENTATION_RUN_PREFIX) && run.model_version > versions.second,
        JSON.stringify(run),
      );
      assert.match(
        (await page.locator('#segmentation-status').textContent()) ?? '',
        new RegExp(
          `Version ${run.model_version} ${run.registration.promoted ? 'is in production' : 'stays in staging'}`,
        ),
      );
      // The view reloads: the last run is this one.
      await page
        .locator('#last-run')
        .filter({ hasText: `Run ${run.run_id} · done` })
        .waitFor();
      if (run.registration.promoted)
        await page
          .locator('#segments-subtitle')
          .filter({ hasText: `version ${run.model_version}` })
          .waitFor();
      await page.screenshot({ path: path.join(SHOTS, '10-segmentation-run.png'), fullPage: true });
    });
    assert.deepEqual(problems, [], 'no script errors');
  });

  it("fits a phone's screen", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await steps(page, 'segments-phone', async () => {
      await page.goto(`${url}#segments`);
      await page.locator('#customers-chart svg [aria-roledescription="point"]').first().waitFor();
      await page.locator('#silhouette-chart svg [aria-roledescription="point"]').first().waitFor();
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      assert.ok(overflow <= 0, `nothing sticks out sideways (${overflow} px)`);
      await page.screenshot({ path: path.join(SHOTS, '9-segments-phone.png'), fullPage: true });
    });
  });
});
