// The page's Air quality view in a real browser (Debian chromium through playwright-core) against
// the real test stack: generated readings from March to July 2004 imported by importAirQuality,
// two airQualityTraining runs through Temporal with a real worker, then the view: one row per run
// with its test month, training months, rows, the model's RMSE and MAE beside the same-hour-yesterday
// baseline's, the chosen learner and feature set and the version; and the pooled figures.
// Screenshots are written to test-results/web/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { chromium, type Browser } from 'playwright-core';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps, startServer } from '../../api/server.ts';
import type { AirQualityTrainingResult } from '../../contracts/airQuality.ts';
import { pooledTestMonths } from '../../domain/airQuality.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { connectClient } from '../../platform/temporal.ts';
import { generateAirQuality } from '../../scripts/data/airQualityGenerator.ts';
import { findChromium } from '../../scripts/stack/chromium.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { airQualityTraining } from '../../workflows/airQualityTraining.ts';
import { importAirQuality } from '../../workflows/importAirQuality.ts';
import { airQualitySchema } from '../helpers/airQualitySchema.ts';
import type { IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { freePort, testConfig, uniqueId } from '../helpers/stack.ts';
import { SHOTS, steps } from '../helpers/pageSteps.ts';

type Trained = Exclude<AirQualityTrainingResult, { skipped: string }>;
const fixed = (x: number) => x.toFixed(3);

describe("the page's Air quality view", () => {
  let isolated: IsolatedSchema;
  let client: Client;
  let apiDeps: ApiDeps;
  let server: ServerType;
  let browser: Browser;
  let url: string;
  const runs: { id: string; result: Trained }[] = [];

  before(async () => {
    const executablePath = findChromium();
    assert.ok(executablePath, 'chromium is missing: `npm test` installs it when it runs test/browser');
    const port = await freePort();
    isolated = await airQualitySchema(testConfig({ API_PORT: String(port) }));
    client = await connectClient(isolated.cfg.temporal);
    const taskQueue = uniqueId('air-quality-page');
    const store = new ObjectStore(isolated.cfg.gcs);
    const uri = await store.write(
      `${uniqueId('uploads/air-quality')}/AirQualityUCI.csv`,
      generateAirQuality({ seed: 4, rows: 3400 }),
      'text/csv',
    );
    await withWorker(isolated.cfg, taskQueue, async () => {
      await client.workflow.execute(importAirQuality, {
        taskQueue,
        workflowId: uniqueId('import-air-quality'),
        args: [{ uri }],
      });
      for (let i = 0; i < 2; i++) {
        const id = uniqueId('air-quality-page-run');
        const result = (await client.workflow.execute(airQualityTraining, {
          taskQueue,
          workflowId: id,
          args: [{ search: { trials: 2, folds: 2, concurrency: 2 } }],
        })) as Trained;
        runs.push({ id, result });
      }
    });
    apiDeps = createApiDeps(isolated.cfg);
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

  it("shows each run's test month, model beside baseline, the choice and the version, and the months pooled", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await steps(page, 'air-quality', async () => {
      await page.goto(url);
      await page.click('nav a[href="#air-quality"]');
      const rows = page.locator('#air-quality-runs tbody tr');
      await rows.nth(1).waitFor();
      assert.equal(await rows.count(), 2);
      // newest first: June's run, then May's
      assert.deepEqual(await Promise.all((await rows.all()).map((r) => r.getAttribute('data-month'))), [
        '2004-06',
        '2004-05',
      ]);
      assert.match(
        (await page.locator('#air-quality-runs thead').textContent()) ?? '',
        /Test month.*Training months.*Rows \(train \/ test\).*Model RMSE.*Baseline RMSE.*Model MAE.*Baseline MAE.*Learner.*Features.*Version/,
      );
      for (const { id, result } of runs) {
        const { registration, best } = result.training;
        const cells = await page.locator(`#air-quality-runs tr[data-run="${id}"] > *`).allTextContents();
        const training = result.window.testMonth === '2004-05' ? '2004-03 to 2004-04' : '2004-03 to 2004-05';
        assert.deepEqual(cells, [
          result.window.testMonth,
          training,
          `${result.training.train.toLocaleString('en')} / ${result.training.test.toLocaleString('en')}`,
          fixed(registration.metrics.rmse!),
          fixed(result.baseline.rmse),
          fixed(registration.metrics.mae!),
          fixed(result.baseline.mae),
          typeof best.params.members === 'string'
            ? `${best.learner}: ${best.params.members.split('+').join(' + ')}`
            : best.learner,
          best.params.features === 'sensors' ? 'sensors only' : 'all columns',
          `${registration.version} · ${registration.label}${registration.promoted ? 'promoted' : ''}`,
        ]);
      }

      const pooled = pooledTestMonths(
        runs.map(({ result }) => ({
          testMonth: result.window.testMonth,
          testRows: result.training.test,
          model: { rmse: result.training.registration.metrics.rmse!, mae: result.training.registration.metrics.mae! },
          baseline: result.baseline,
        })),
      )!;
      const subtitle = (await page.locator('#air-quality-subtitle').textContent()) ?? '';
      assert.match(
        subtitle,
        new RegExp(
          `Pooled over 2 test months \\(2004-05 to 2004-06, ${pooled.rows.toLocaleString('en')} hours; each month's latest run\\): ` +
            `model RMSE ${fixed(pooled.model.rmse)}, MAE ${fixed(pooled.model.mae)} · ` +
            `same hour yesterday RMSE ${fixed(pooled.baseline.rmse)}, MAE ${fixed(pooled.baseline.mae)}`,
        ),
      );
      await page.screenshot({ path: path.join(SHOTS, '15-air-quality.png'), fullPage: true });
    });
    assert.deepEqual(problems, []);
  });
});
