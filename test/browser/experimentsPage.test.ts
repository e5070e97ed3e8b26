// The page's Experiments view in a real browser (Debian chromium through playwright-core) against
// the real test stack, with two tabularTraining runs on generated BigMart data (a real worker): a
// tree run that became the champion and a linear run kept as a challenger. The runs with their
// stage and version, the champion marked, a run chosen by a click, its trials sorted by clicking
// column headers, the predicted-against-actual scatter of its test rows and the tree's feature
// importances; starting a run asks for the key. Screenshots are written to test-results/web/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps, startServer } from '../../api/server.ts';
import type { TabularReport, TabularTrainingInput } from '../../contracts/tabular.ts';
import type { Config } from '../../platform/config.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { tabularVersions } from '../../platform/tabularRegistry.ts';
import { tabularTrials } from '../../platform/tabularRuns.ts';
import { connectClient } from '../../platform/temporal.ts';
import { BIGMART_TRAIN_HEADER, bigmartCsv, generateBigMart } from '../../scripts/data/bigmartGenerator.ts';
import { findChromium } from '../../scripts/stack/chromium.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { tabularTraining } from '../../workflows/tabularTraining.ts';
import { isolatedSchema, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { freePort, testConfig, uniqueId } from '../helpers/stack.ts';
import { SHOTS, steps } from '../helpers/pageSteps.ts';

const ADMIN = 'admin-key-for-experiments-page-tests';
const bucket = testConfig().gcs.bucket;

/** Runs a page's steps; when one fails, saves a screenshot and adds what the page's error line says. */

/** An attribute of each element a locator finds, in page order. */
const attributes = async (page: Page, selector: string, name: string) =>
  Promise.all((await page.locator(selector).all()).map((l) => l.getAttribute(name)));
/** The trial numbers of the trials table, top to bottom. */
const trialOrder = async (page: Page) => (await attributes(page, '#tabular-trials tbody tr', 'data-trial')).map(Number);

describe("the page's Experiments view", () => {
  let isolated: IsolatedSchema;
  let client: Client;
  let apiDeps: ApiDeps;
  let server: ServerType;
  let browser: Browser;
  let url: string;
  let tree: TabularReport;
  let linear: TabularReport;
  let features: number;

  before(async () => {
    const executablePath = findChromium();
    assert.ok(executablePath, 'chromium is missing: `npm test` installs it when it runs test/browser');
    const port = await freePort();
    isolated = await isolatedSchema(
      testConfig({ API_KEYS: `planner:admin:${ADMIN}`, API_PORT: String(port) }),
      'tabpage',
    );
    // A queue of its own (the config types the queue names as the deployment's).
    const training = uniqueId('tabular-page') as Config['temporal']['taskQueues']['training'];
    const cfg: Config = {
      ...isolated.cfg,
      temporal: { ...isolated.cfg.temporal, taskQueues: { ...isolated.cfg.temporal.taskQueues, training } },
    };
    client = await connectClient(cfg.temporal);
    const store = new ObjectStore(cfg.gcs);
    const { train } = generateBigMart({ seed: 11, rows: 600 });
    const uri = await store.write(
      `${uniqueId('uploads/bigmart')}/Train.csv`,
      bigmartCsv(BIGMART_TRAIN_HEADER, train),
      'text/csv',
    );
    const input = (learners: string[], promotionMargin: number): TabularTrainingInput => ({
      model: 'bigmart',
      source: { kind: 'csv', uri },
      split: { kind: 'random', testShare: 0.2, seed: 2 },
      search: { kind: 'random', trials: 4, concurrency: 2, folds: 2, seed: 4, learners },
      promotionMargin,
    });
    await withWorker(cfg, training, async () => {
      tree = await client.workflow.execute(tabularTraining, {
        taskQueue: training,
        workflowId: uniqueId('tabular-page-tree'),
        args: [input(['tree'], 0)],
      });
      linear = await client.workflow.execute(tabularTraining, {
        taskQueue: training,
        workflowId: uniqueId('tabular-page-linear'),
        args: [input(['ridge', 'lasso'], 0.9)],
      });
    });
    assert.equal(tree.registration.promoted, true);
    assert.equal(linear.registration.promoted, false);
    const version = (await tabularVersions(isolated.pool, 'bigmart')).find(
      (v) => v.version === tree.registration.version,
    )!;
    features = version.params.preprocessing.featureNames.length;

    apiDeps = createApiDeps(cfg);
    server = await startServer(apiDeps);
    url = `http://127.0.0.1:${port}/`;
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    await mkdir(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await Promise.allSettled([apiDeps && closeApiDeps(apiDeps), client?.connection.close()]);
    await isolated?.drop();
  });

  it('lists the runs with the champion marked; a chosen run shows its trials, sorted by a click, its scatter and importances', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await steps(page, 'experiments', async () => {
      await page.goto(url);
      await page.click('nav a[href="#experiments"]');

      // Both runs, newest first; the tree run's version is the champion.
      const runRows = page.locator('#tabular-runs tbody tr');
      await runRows.nth(1).waitFor();
      assert.deepEqual(await attributes(page, '#tabular-runs tbody tr', 'data-run'), [linear.runId, tree.runId]);
      const treeRow = page.locator(`#tabular-runs tr[data-run="${tree.runId}"]`);
      assert.match((await treeRow.getAttribute('class')) ?? '', /champion/);
      assert.match(
        (await treeRow.textContent()) ?? '',
        new RegExp(`done.*4 of 4.*RMSE [\\d,.]+ \\(tree\\).*${tree.registration.version} · production ★ champion`),
      );
      assert.match(
        (await page.locator(`#tabular-runs tr[data-run="${linear.runId}"]`).textContent()) ?? '',
        new RegExp(`${linear.registration.version} · staging$`),
      );
      assert.match(
        (await page.locator('#experiments-subtitle').textContent()) ?? '',
        new RegExp(
          `Champion: version ${tree.registration.version} .* from run ${tree.runId}, trial ${tree.best.trial} \\(tree\\)`,
        ),
      );

      // The newest run is shown first: a linear model has no importances.
      await page.locator('#trials-title').filter({ hasText: linear.runId }).waitFor();
      await page
        .locator('#importance-subtitle')
        .filter({ hasText: /has no feature importances/ })
        .waitFor();
      assert.equal(await page.locator('#tabular-trials tr.champion').count(), 0, 'not the champion run');

      // Choosing the tree run: its trials, the champion's trial marked.
      await treeRow.click();
      await page.locator('#trials-title').filter({ hasText: tree.runId }).waitFor();
      const trials = await tabularTrials(isolated.pool, tree.runId);
      assert.deepEqual(await trialOrder(page), [0, 1, 2, 3]);
      const champion = page.locator('#tabular-trials tr.champion');
      assert.equal(await champion.count(), 1);
      assert.equal(await champion.getAttribute('data-trial'), String(tree.best.trial));
      assert.match((await champion.textContent()) ?? '', /★ champion/);
      const header = await page.locator('#tabular-trials thead').textContent();
      assert.match(header ?? '', /#.*Learner.*Parameters.*RMSE.*MAE.*R².*Seconds/);
      const rmseOf = new Map(trials.map((t) => [t.trial, t.metrics.rmse!]));
      const cell = await page.locator(`#tabular-trials tr[data-trial="0"] td`).nth(2).textContent();
      assert.match(cell ?? '', / ± /, 'mean ± std');

      // A click on a column sorts by it; a second click reverses.
      const byRmse = [...trials].sort(
        (a, b) => rmseOf.get(a.trial)!.mean - rmseOf.get(b.trial)!.mean || a.trial - b.trial,
      );
      await page.click('#tabular-trials button[data-sort="rmse"]');
      assert.deepEqual(
        await trialOrder(page),
        byRmse.map((t) => t.trial),
      );
      assert.equal(await page.locator('#tabular-trials th[aria-sort="ascending"]').textContent(), 'RMSE ▲');
      await page.click('#tabular-trials button[data-sort="rmse"]');
      assert.deepEqual(
        await trialOrder(page),
        [...trials]
          .sort((a, b) => rmseOf.get(b.trial)!.mean - rmseOf.get(a.trial)!.mean || a.trial - b.trial)
          .map((t) => t.trial),
      );
      await page.click('#tabular-trials button[data-sort="seconds"]');
      assert.deepEqual(
        await trialOrder(page),
        [...trials].sort((a, b) => a.seconds - b.seconds || a.trial - b.trial).map((t) => t.trial),
      );

      // Predicted against actual: a point per test row; the importances: a bar per feature shown.
      const points = page.locator('#evaluation-chart svg [aria-roledescription="point"]');
      await points.nth(tree.test - 1).waitFor();
      assert.equal(await points.count(), tree.test);
      assert.match((await points.first().getAttribute('aria-label')) ?? '', /actual: [\d,.]+; predicted: [\d,.]+/);
      const bars = page.locator('#importance-chart svg [aria-roledescription="bar"]');
      await bars.first().waitFor();
      assert.equal(await bars.count(), Math.min(15, features));
      assert.match(
        (await page.locator('#evaluation-subtitle').textContent()) ?? '',
        new RegExp(`Version ${tree.registration.version} \\(tree\\)`),
      );
      await page.screenshot({ path: path.join(SHOTS, '11-experiments.png'), fullPage: true });

      // The runs view lists tabular runs with their outcome.
      await page.click('nav a[href="#runs"]');
      await page.selectOption('#run-kind', 'tabular');
      const listed = page.locator('#runs-list li[data-kind="tabular"]').filter({ hasText: tree.runId });
      await listed.waitFor();
      assert.match(
        (await listed.textContent()) ?? '',
        new RegExp(
          `Tabular training bigmart · ${tree.runId}.*done.*4 trials · version ${tree.registration.version} promoted`,
          's',
        ),
      );
      await page.click('nav a[href="#experiments"]');

      // Starting a run needs a key: without it the page says so, in words.
      await page.fill('#tabular-uri', `gs://${bucket}/uploads/Train.csv`);
      await page.click('#tabular-start-submit');
      await page
        .locator('#error-text')
        .filter({ hasText: /needs the admin API key/ })
        .waitFor();
    });
    assert.deepEqual(problems, [], 'no script errors');
  });

  it('names the field of a bad start in words, with the key', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await steps(page, 'experiments-start', async () => {
      await page.goto(`${url}#experiments`);
      await page.click('summary');
      await page.fill('#api-key', ADMIN);
      await page.fill('#tabular-uri', `gs://${bucket}/no/such/Train.csv`);
      await page.click('#tabular-start-submit');
      await page
        .locator('#error-text')
        .filter({ hasText: `Source.uri: object gs://${bucket}/no/such/Train.csv does not exist` })
        .waitFor();
    });
  });

  it("fits a phone's screen", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await steps(page, 'experiments-phone', async () => {
      await page.goto(`${url}#experiments`);
      await page.locator('#evaluation-chart svg [aria-roledescription="point"]').first().waitFor();
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      assert.ok(overflow <= 0, `nothing sticks out sideways (${overflow} px)`);
      await page.screenshot({ path: path.join(SHOTS, '12-experiments-phone.png'), fullPage: true });
    });
  });
});
