// The planners' page in a real browser (Debian chromium through playwright-core) against the real
// test stack: pick a store, see the chart and the model version, retrain and see the version go
// up, forecast a custom range and see it drawn, read the runs (a backfill as one card with its
// days, filters, pages, no closed run shown as running), and fit a phone's screen.
// Screenshots are written to test-results/web/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { closeDeps, createDeps, type Deps } from '../../activities/deps.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps, startServer } from '../../api/server.ts';
import { connectClient } from '../../platform/temporal.ts';
import { backfillWorkflowId, dailyIngestWorkflowId } from '../../contracts/ingest.ts';
import { findChromium } from '../../scripts/stack/chromium.ts';
import { freePort, testConfig, uniqueId } from '../helpers/stack.ts';
import { trainedSeries } from '../helpers/trainedSeries.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { SHOTS, steps } from '../helpers/pageSteps.ts';

const ADMIN = 'admin-key-for-browser-tests';
// Three generated stores of a product no other test uses, in months no other test trains on.
const PRODUCT = 'web';
const AS_OF = '2013-06-30';
const STORE = 2;
const RANGE = { from: '2013-07-08', to: '2013-07-21', days: 14 };

const versionIn = (text: string | null): number => Number(/version (\d+)/.exec(text ?? '')?.[1]);
/** The chart's point marks of one series: Vega's SVG gives each an aria-label with its fields. */
const points = (page: Page, series: string) =>
  page.locator(`#chart svg [aria-roledescription="point"][aria-label*="${series}"]`);

/** Runs a page's steps; when one fails, saves a screenshot and adds what the page's error line says. */

describe("planners' web page", () => {
  let deps: Deps;
  let apiDeps: ApiDeps;
  let client: Client;
  let server: ServerType;
  let browser: Browser;
  let url: string;

  before(async () => {
    const executablePath = findChromium();
    assert.ok(executablePath, 'chromium is missing: `npm test` installs it when it runs test/browser');
    const cfg = testConfig({ API_KEYS: `planner:admin:${ADMIN}` });
    deps = createDeps(cfg, 'retailflow-test');
    client = await connectClient(cfg.temporal);
    // Models and stored 7-day forecasts for the three series, as the weekly schedule would make.
    const report = await trainedSeries(cfg, deps, client, {
      product: PRODUCT,
      stores: 3,
      from: '2013-01-01',
      asOf: AS_OF,
      seed: 7,
    });
    assert.equal(report.counts.fitted, 3);

    const port = await freePort();
    apiDeps = createApiDeps(testConfig({ API_KEYS: `planner:admin:${ADMIN}`, API_PORT: String(port) }));
    server = await startServer(apiDeps);
    url = `http://127.0.0.1:${port}/`;
    // As root (CI), chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    await mkdir(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await Promise.allSettled([apiDeps && closeApiDeps(apiDeps), deps && closeDeps(deps), client?.connection.close()]);
    console.log(`[web test] screenshots in ${path.relative(process.cwd(), SHOTS)}/`);
  });

  it("shows a store's chart and model version, retrains to a new version, draws a custom range, lists the runs", async () => {
    const cfg = testConfig();
    // West of UTC, where a date taken for UTC midnight would be drawn on the day before.
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, timezoneId: 'America/New_York' });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await steps(page, 'laptop', async () => {
      await page.goto(url);

      // Pick the store by searching for it, then the product.
      await page.fill('#store-search', String(STORE));
      await page.selectOption('#store', String(STORE));
      await page
        .locator('#chart-title')
        .filter({ hasText: `Store ${STORE} ·` })
        .waitFor();
      await page.selectOption('#product', PRODUCT);
      const subtitle = page.locator('#chart-subtitle');
      await subtitle.filter({ hasText: `sales-forecast:${STORE}:${PRODUCT}` }).waitFor();
      const before = versionIn(await subtitle.textContent());
      assert.ok(before >= 1, `the weekly training made a version (${before})`);
      await points(page, '7-day forecast').nth(6).waitFor();
      assert.equal(await points(page, '7-day forecast').count(), 7);
      assert.ok(
        (await page.locator('#chart svg [aria-roledescription="line mark"]').count()) >= 1,
        'the actual sales line is drawn',
      );
      await page.screenshot({ path: path.join(SHOTS, '1-store-chart.png'), fullPage: true });

      // Without the right key the page says why, in words.
      await page.click('summary');
      await page.fill('#api-key', 'not-the-admin-key-at-all');
      await page.click('#retrain');
      await page
        .locator('#error-text')
        .filter({ hasText: /unknown API key/i })
        .waitFor();
      assert.doesNotMatch((await page.locator('#error-text').textContent()) ?? '', /[{}]/, 'a sentence, not JSON');

      // Retrain: live progress, then the new version with its metrics, and the chart redrawn.
      await page.fill('#api-key', ADMIN);
      await withWorker(cfg, cfg.temporal.taskQueues.interactive, async () => {
        await page.click('#retrain');
        await page.locator('#retrain-status progress').waitFor();
        await page
          .locator('#retrain-status')
          .filter({ hasText: `New version ${before + 1}` })
          .waitFor({ timeout: 60_000 });
      });
      assert.match((await page.locator('#retrain-status').textContent()) ?? '', /RMSPE \d+\.\d%/);
      await subtitle.filter({ hasText: `version ${before + 1}` }).waitFor();
      assert.equal(await page.locator('#error').isHidden(), true, 'the error line is gone after a success');
      await page.screenshot({ path: path.join(SHOTS, '2-retrained.png'), fullPage: true });

      // A custom range is forecast from the production model and drawn, a point a day.
      await page.fill('#range-from', RANGE.from);
      await page.fill('#range-to', RANGE.to);
      await page.click('#range-submit');
      await page
        .locator('#range-status')
        .filter({ hasText: `${RANGE.days} days forecast by sales-forecast:${STORE}:${PRODUCT} version ${before + 1}` })
        .waitFor();
      await points(page, 'Custom forecast')
        .nth(RANGE.days - 1)
        .waitFor();
      assert.equal(await points(page, 'Custom forecast').count(), RANGE.days);
      assert.match((await points(page, 'Custom forecast').first().getAttribute('aria-label')) ?? '', /date: Jul 08;/);
      assert.match((await points(page, 'Custom forecast').last().getAttribute('aria-label')) ?? '', /date: Jul 21;/);
      await page.screenshot({ path: path.join(SHOTS, '3-custom-range.png'), fullPage: true });

      // The range's plan: a what-if closure redraws the forecast and stores nothing; Save stores it.
      const planned = async () =>
        (
          (await (await fetch(`${url}v1/calendar/${STORE}?from=${RANGE.from}&to=${RANGE.to}`)).json()) as {
            days: { date: string; open: boolean }[];
          }
        ).days;
      const plan = page.locator('#plan-days tbody tr');
      assert.equal(await plan.count(), RANGE.days);
      assert.equal(await page.locator('#plan-days td.source', { hasText: 'assumed' }).count(), RANGE.days);
      assert.match(
        (await page.locator('#plan-days tr[data-date="2013-07-10"] td.drivers').textContent()) ?? '',
        /^level [\d,]+( · \w+ ×\d\.\d\d)*$/,
      );
      const closedDay = points(page, 'Custom forecast').nth(2);
      assert.match((await closedDay.getAttribute('aria-label')) ?? '', /date: Jul 10;.*sales: [1-9]/);
      await page.uncheck('#plan-days tr[data-date="2013-07-10"] input[data-field="open"]');
      await page.locator('#plan-status').filter({ hasText: 'What-if: 1 day(s) edited, not saved.' }).waitFor();
      assert.match((await closedDay.getAttribute('aria-label')) ?? '', /date: Jul 10;.*sales: 0;/);
      assert.equal(await page.locator('#plan-days tr[data-date="2013-07-10"] td.source').textContent(), 'edited');
      assert.equal(await page.locator('#plan-days tr[data-date="2013-07-10"] td.drivers').textContent(), 'closed');
      assert.deepEqual(await planned(), [], 'a what-if stores nothing');
      await page.click('#plan-save');
      await page
        .locator('#plan-status')
        .filter({ hasText: `Saved 1 day(s) to store ${STORE}'s plan.` })
        .waitFor();
      assert.deepEqual(
        (await planned()).map((d) => [d.date, d.open]),
        [['2013-07-10', false]],
      );
      assert.equal(await page.locator('#plan-days tr[data-date="2013-07-10"] td.source').textContent(), 'plan');
      await page.screenshot({ path: path.join(SHOTS, '3b-plan.png'), fullPage: true });
      await deps.pool.query('DELETE FROM planned_calendar WHERE store_id = $1', [STORE]);

      // A range the API refuses: its message, not its JSON.
      await page.fill('#range-to', '2015-07-21');
      await page.click('#range-submit');
      await page
        .locator('#error-text')
        .filter({ hasText: /at most 365/ })
        .waitFor();

      // Runs: the weekly training, done, with counts and metrics, linked to the Temporal UI; the retrain too.
      await page.click('nav a[href="#runs"]');
      const training = page.locator('#runs-list li[data-kind="training"]').filter({ hasText: 'web-training' }).first();
      await training.waitFor();
      assert.match((await training.textContent()) ?? '', /done.*fitted 3 of 3 series.*RMSPE/s);
      assert.match(
        (await training.locator('a').getAttribute('href')) ?? '',
        /\/namespaces\/default\/workflows\/web-training-/,
      );
      const retrain = page
        .locator('#runs-list li[data-kind="retrain"]')
        .filter({ hasText: `Retrain store ${STORE} · ${PRODUCT}` })
        .first();
      await retrain.waitFor();
      assert.match((await retrain.textContent()) ?? '', /done.*promoted.*RMSPE \d+\.\d%/s);
      await page.screenshot({ path: path.join(SHOTS, '4-runs.png'), fullPage: true });
    });
    assert.deepEqual(problems, [], 'no script errors');
  });

  it("groups a backfill's days under one card, filters runs by kind and status, pages them, and never shows a closed run as running", async () => {
    const cfg = testConfig();
    const [from, to] = ['2024-09-01', '2024-09-03'];
    // A backfill of three days with nothing staged: each day done, with a warning.
    await withWorker(cfg, cfg.temporal.taskQueues.ingest, async () => {
      const res = await fetch(`${url}v1/ingest/backfill`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ from, to, concurrency: 2 }),
      });
      assert.equal(res.status, 202);
      await client.workflow.getHandle(backfillWorkflowId(from, to)).result();
    });
    // A day whose workflow was terminated after it recorded its start: its row still says 'starting'.
    const stuck = dailyIngestWorkflowId('2024-09-10');
    await client.workflow.start('dailyIngest', {
      workflowId: stuck,
      taskQueue: uniqueId('nobody-polls'),
      args: [{ date: '2024-09-10' }],
    });
    await deps.pool.query(
      `INSERT INTO ingest_runs (run_id, kind, sale_date, workflow_id, status) VALUES ($1, 'daily', '2024-09-10', $1, 'starting')`,
      [stuck],
    );
    await client.workflow.getHandle(stuck).terminate('stopped by hand');
    // More imports than one page holds (an import runs no workflow; its row is all there is).
    await deps.pool.query(`INSERT INTO ingest_runs (run_id, kind, status, ended_at, started_at)
      SELECT 'web-import-' || i, 'import', 'done', now(), now() - i * interval '1 minute' FROM generate_series(1, 25) AS i`);

    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await steps(page, 'runs', async () => {
      await page.goto(`${url}#runs`);
      await page.selectOption('#run-kind', 'backfill');
      const card = page
        .locator('#runs-list > ul > li[data-kind="backfill"]')
        .filter({ hasText: `Backfill ${from} – ${to}` });
      await card.waitFor();
      assert.match((await card.locator('.run-head').textContent()) ?? '', /done/);
      assert.match((await card.textContent()) ?? '', /3 of 3 days settled.*done 3 · warning 3/s);
      assert.equal(await card.locator('.days li').count(), 0, 'the days are folded away');
      await card.locator('.days summary').click();
      await card.locator('.days li').nth(2).waitFor();
      assert.equal(await card.locator('.days li').count(), 3);
      assert.match(
        (await card.locator('.days li').first().textContent()) ?? '',
        /Daily ingest 2024-09-0\d.*warning.*no sales events were staged/s,
      );
      await page.screenshot({ path: path.join(SHOTS, '6-backfill.png'), fullPage: true });

      // The terminated day shows how it ended, never as running; the running filter does not list it.
      await page.selectOption('#run-kind', 'daily');
      const day = page.locator('#runs-list li[data-kind="daily"]').filter({ hasText: 'Daily ingest 2024-09-10' });
      await day.locator('.badge.terminated').waitFor();
      assert.equal(await day.locator('.badge.running').count(), 0);
      assert.equal(
        await page.locator('#runs-list li').filter({ hasText: 'Daily ingest 2024-09-0' }).count(),
        0,
        "a backfill's days stay under it",
      );
      await page.selectOption('#run-status', 'running');
      await page.locator('#runs-list').filter({ hasText: 'No runs match.' }).waitFor();

      // Long lists come a page at a time.
      await page.selectOption('#run-status', '');
      await page.selectOption('#run-kind', 'import');
      await page.locator('#runs-list li[data-kind="import"]').nth(19).waitFor();
      assert.equal(await page.locator('#runs-list li[data-kind="import"]').count(), 20);
      await page.click('#runs-more');
      await page.locator('#runs-list li[data-kind="import"]').nth(24).waitFor();
      await page.locator('#runs-more').waitFor({ state: 'hidden' });
      await page.screenshot({ path: path.join(SHOTS, '7-runs-filtered.png'), fullPage: true });
    });
    assert.deepEqual(problems, [], 'no script errors');
  });

  it("fits a phone's screen", async () => {
    const page = await browser.newPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    await steps(page, 'phone', async () => {
      await page.goto(url);
      await page.selectOption('#store', String(STORE));
      await page
        .locator('#chart-title')
        .filter({ hasText: `Store ${STORE} ·` })
        .waitFor();
      await page.selectOption('#product', PRODUCT);
      await page
        .locator('#chart-title')
        .filter({ hasText: `Store ${STORE} · product ${PRODUCT}` })
        .waitFor();
      await points(page, '7-day forecast').nth(6).waitFor();
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      assert.ok(overflow <= 0, `nothing sticks out sideways (${overflow} px)`);
      await page.screenshot({ path: path.join(SHOTS, '5-phone.png'), fullPage: true });
    });
  });
});
