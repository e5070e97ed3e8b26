// What the page shows (GET /v1/forecasts) and what clients are served (POST /v1/forecast) agree: the
// stored forecast is the production version's for the latest as-of date, never just the newest
// run's; a promotion shows everywhere at once; both answer whole units.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { closeDeps, createDeps, type Deps } from '../../activities/deps.ts';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import { DEFAULT_TRAINING, forecastModelName } from '../../contracts/training.ts';
import { addDays } from '../../domain/dates.ts';
import { connectClient } from '../../platform/temporal.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { trainedSeries } from '../helpers/trainedSeries.ts';
import { withWorker } from '../../workers/inProcess.ts';

const cfg = testConfig();
const PRODUCT = 'agree';
// 2012: no other test's dates.
const AS_OF = '2012-08-31';
const OLDER_AS_OF = '2012-07-31';
const ADMIN = 'admin-key-for-agreement-tests';
const STORE = 1;

interface StoredAnswer {
  source: 'stored' | 'computed';
  runId: string | null;
  asOf: string;
  model: { name: string; version: number };
  forecast: { date: string; forecast: number; lower: number; upper: number }[];
}
interface ServedAnswer {
  forecast: { timestamp: string; value: number; lower_ci: number; upper_ci: number }[];
  api: { model_version: number };
}

describe("the page's forecast and the served forecast agree", () => {
  let deps: Deps;
  let client: Client;
  let apiDeps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  let newerRun: string;
  let olderRun: string;
  const model = forecastModelName(STORE, PRODUCT);

  const shown = async () => {
    const res = await app.request(`/v1/forecasts?store=${STORE}&product=${PRODUCT}`);
    assert.equal(res.status, 200);
    return (await res.json()) as StoredAnswer;
  };
  const served = async (begin: string, end: string) => {
    const res = await app.request('/v1/forecast', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ store_id: STORE, product_name: PRODUCT, begin_date: begin, end_date: end }]),
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as ServedAnswer[])[0]!;
  };
  const promote = async (version: number) => {
    const res = await app.request(`/v1/models/${STORE}/${PRODUCT}/versions/${version}/promote`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    assert.equal(res.status, 200);
    // The API's model cache hears of it through Postgres NOTIFY: wait until the served version follows.
    for (let i = 0; (await served(addDays(AS_OF, 1), addDays(AS_OF, 1))).api.model_version !== version; i++) {
      assert.ok(i < 100, `POST /v1/forecast never served version ${version}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  before(async () => {
    deps = createDeps(cfg, 'retailflow-test');
    client = await connectClient(cfg.temporal);
    newerRun = (
      await trainedSeries(cfg, deps, client, { product: PRODUCT, stores: 2, from: '2012-03-01', asOf: AS_OF, seed: 21 })
    ).runId;
    // A run for an older date, made after the newer one: the newest run, but not the latest as-of.
    olderRun = uniqueId(`${PRODUCT}-older`);
    await withWorker(cfg, cfg.temporal.taskQueues.training, () =>
      client.workflow.execute('weeklyTraining', {
        workflowId: olderRun,
        taskQueue: cfg.temporal.taskQueues.training,
        args: [{ ...DEFAULT_TRAINING, asOf: OLDER_AS_OF, products: [PRODUCT] }],
      }),
    );
    apiDeps = createApiDeps(testConfig({ API_KEYS: `ops:admin:${ADMIN}` }));
    app = createApp(apiDeps);
  });
  after(async () => {
    await closeApiDeps(apiDeps);
    await client.connection.close();
    await closeDeps(deps);
  });

  it("shows the production version's forecast for the latest as-of date, in whole units, as served", async () => {
    await promote(1);
    const page = await shown();
    assert.equal(page.source, 'stored');
    assert.equal(page.runId, newerRun, 'the newer as-of date wins over the more recent run');
    assert.equal(page.asOf, AS_OF);
    assert.deepEqual(page.model, { name: model, version: 1 });
    assert.deepEqual(
      page.forecast.map((p) => p.date),
      Array.from({ length: 7 }, (_, i) => addDays(AS_OF, i + 1)),
    );
    for (const p of page.forecast)
      for (const v of [p.forecast, p.lower, p.upper]) assert.ok(Number.isInteger(v), `${v} is a whole number`);
    const answer = await served(page.forecast[0]!.date, page.forecast.at(-1)!.date);
    assert.equal(answer.api.model_version, 1);
    assert.deepEqual(
      answer.forecast.map((p) => p.value),
      page.forecast.map((p) => p.forecast),
    );
  });

  it('follows a promotion at once: the page names the version that is served', async () => {
    await promote(2);
    const page = await shown();
    assert.equal(page.model.version, 2);
    const answer = await served(page.forecast[0]!.date, page.forecast.at(-1)!.date);
    assert.equal(answer.api.model_version, 2);
    if (page.source === 'computed') {
      // Version 2 (the older run's) never served when a forecast was stored: the next days after the series' latest day, computed.
      assert.equal(page.runId, null);
      assert.equal(page.asOf, AS_OF);
      assert.deepEqual(
        answer.forecast.map((p) => p.value),
        page.forecast.map((p) => p.forecast),
      );
    } else {
      assert.equal(page.runId, olderRun, 'version 2 stored a forecast only in the older run');
      assert.equal(page.asOf, OLDER_AS_OF);
    }
  });
});
