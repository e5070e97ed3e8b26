// The Experiments view of a power-user run in a real browser (Debian chromium through
// playwright-core) against the real test stack: generated GA4 events, powerUserTraining through
// Temporal with a real worker (the logistic grid x the four samplings), then the page: the
// comparison table (one row per model x oversampling, the chosen trial's marked), the ROC and
// precision-recall curves of the version on the test rows with the threshold marked, and the
// threshold's effect next to 0.5. Screenshots are written to test-results/web/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { chromium, type Browser } from 'playwright-core';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps, startServer } from '../../api/server.ts';
import type { PowerUserTrainingReport } from '../../contracts/powerUsers.ts';
import { DEFAULT_POWER_USER_LABELING } from '../../ml/tabular/presets/powerUser.ts';
import type { Config } from '../../platform/config.ts';
import { saveGa4Events } from '../../platform/powerUserWarehouse.ts';
import { connectClient } from '../../platform/temporal.ts';
import { generateGa4Events, GA4_CUTOFF } from '../../scripts/data/ga4Generator.ts';
import { findChromium } from '../../scripts/stack/chromium.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { powerUserTraining } from '../../workflows/powerUserTraining.ts';
import { isolatedSchema, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { freePort, testConfig, uniqueId } from '../helpers/stack.ts';
import { SHOTS, steps } from '../helpers/pageSteps.ts';

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

describe("the page's Experiments view of a power-user run", () => {
  let isolated: IsolatedSchema;
  let client: Client;
  let apiDeps: ApiDeps;
  let server: ServerType;
  let browser: Browser;
  let url: string;
  let report: PowerUserTrainingReport;

  before(async () => {
    const executablePath = findChromium();
    assert.ok(executablePath, 'chromium is missing: `npm test` installs it when it runs test/browser');
    const port = await freePort();
    isolated = await isolatedSchema(testConfig({ API_PORT: String(port) }), 'pupage');
    const training = uniqueId('power-user-page') as Config['temporal']['taskQueues']['training'];
    const cfg: Config = {
      ...isolated.cfg,
      temporal: { ...isolated.cfg.temporal, taskQueues: { ...isolated.cfg.temporal.taskQueues, training } },
    };
    client = await connectClient(cfg.temporal);
    await saveGa4Events(
      isolated.pool,
      generateGa4Events({ seed: 5, users: 3000, from: '2020-11-01', to: '2021-01-31' }),
    );
    report = await withWorker(cfg, training, () =>
      client.workflow.execute(powerUserTraining, {
        taskQueue: training,
        workflowId: uniqueId('power-users-page'),
        args: [
          {
            events: 'ga4',
            labeling: { cutoff: GA4_CUTOFF, ...DEFAULT_POWER_USER_LABELING },
            search: { concurrency: 2, folds: 3, learners: ['logistic'] },
          },
        ],
      }),
    );
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

  it('shows the comparison table, the ROC and precision-recall curves, and the threshold next to 0.5', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    const { training } = report;
    const threshold = training.best.metrics.threshold!.mean;
    await steps(page, 'power-user', async () => {
      await page.goto(`${url}#experiments`);
      await page.locator('#trials-title').filter({ hasText: training.runId }).waitFor();

      // One row per model x oversampling, the chosen trial's row marked.
      const rows = page.locator('#tabular-comparison tbody tr');
      await rows.nth(3).waitFor();
      assert.deepEqual(await Promise.all((await rows.all()).map((r) => r.getAttribute('data-sampling'))), [
        'none',
        'random',
        'smote',
        'adasyn',
      ]);
      assert.match(
        (await page.locator('#tabular-comparison thead').textContent()) ?? '',
        /Model.*Sampling.*Trials.*Threshold.*Recall.*Precision.*F1.*Log loss.*ROC AUC.*PR AUC/,
      );
      const chosen = page.locator('#tabular-comparison tr.best');
      assert.equal(await chosen.count(), 1);
      assert.equal(await chosen.getAttribute('data-sampling'), String(training.best.params.sampling));
      assert.match((await chosen.textContent()) ?? '', /logistic.*chosen.*\d+\.\d%/);

      // The curves, the chosen threshold marked on each; the scatter of a regression is hidden.
      assert.equal(await page.locator('#classification-card').isVisible(), true);
      assert.equal(await page.locator('#evaluation-card').isVisible(), false);
      for (const chart of ['#roc-chart', '#pr-chart']) {
        const marker = page.locator(`${chart} svg [aria-roledescription="point"]`);
        await marker.first().waitFor();
        assert.equal(await marker.count(), 1, chart);
        assert.match((await marker.getAttribute('aria-label')) ?? '', new RegExp(`threshold: ${threshold.toFixed(3)}`));
      }
      assert.match(
        (await page.locator('#classification-subtitle').textContent()) ?? '',
        new RegExp(
          `Version ${training.registration.version} \\(the champion\\), logistic, on the run's ${training.test} test rows`,
        ),
      );

      // The threshold's effect: what it gives on the test rows (the registered metrics), and what 0.5 would.
      const m = training.registration.metrics;
      const effect = (await page.locator('#threshold-subtitle').textContent()) ?? '';
      assert.match(
        effect,
        new RegExp(
          `At it \\(${threshold.toFixed(3)}\\): precision ${percent(m.precision!)}, recall ${percent(m.recall!)}, F1 ${percent(m.f1!)}`.replace(
            /\./g,
            '\\.',
          ),
        ),
      );
      assert.match(effect, /at 0\.5: precision [\d.]+%, recall [\d.]+%/);
      await page.locator('#threshold-chart svg').waitFor();
      await page.screenshot({ path: path.join(SHOTS, '13-power-user.png'), fullPage: true });
    });
    assert.deepEqual(problems, [], 'no script errors');
  });

  it("fits a phone's screen", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await steps(page, 'power-user-phone', async () => {
      await page.goto(`${url}#experiments`);
      await page.locator('#roc-chart svg [aria-roledescription="point"]').first().waitFor();
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      assert.ok(overflow <= 0, `nothing sticks out sideways (${overflow} px)`);
      await page.screenshot({ path: path.join(SHOTS, '14-power-user-phone.png'), fullPage: true });
    });
  });
});
