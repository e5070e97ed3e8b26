import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { closeDeps, createDeps, type Deps } from '../../activities/deps.ts';
import { trainingActivities } from '../../activities/training.ts';
import { globalModelParams } from '../../platform/globalModels.ts';
import { registry } from '../../platform/metrics.ts';
import { promoteVersion } from '../../platform/registry.ts';
import {
  DEFAULT_TRAINING,
  trainingProgressQuery,
  trainingShardObject,
  trainingShardPlanObject,
  type ShardResult,
  type ShardStores,
  type TrainingOptions,
  type TrainingReport,
} from '../../contracts/training.ts';
import { connectClient } from '../../platform/temporal.ts';
import { seriesWindowLines } from '../../platform/seriesHistory.ts';
import { generate } from '../../scripts/data/generate.ts';
import { importStores } from '../../platform/storeImport.ts';
import { importTrain } from '../../platform/salesImport.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import { createApp } from '../../api/app.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { startWorkerProcess } from '../helpers/workerProcess.ts';
import { until } from '../helpers/until.ts';
import { sampleValue } from '../helpers/scrape.ts';

const { PendingActivityState } = proto.temporal.api.enums.v1;
const cfg = testConfig();
// 50 generated stores x 2 products (t1, t2), and three series no model can be fit on (product tx).
const PRODUCTS = ['t1', 't2', 'tx'];
const AS_OF = '2014-06-30';
const options: TrainingOptions = {
  ...DEFAULT_TRAINING,
  asOf: AS_OF,
  products: PRODUCTS,
  shardSize: 16,
  concurrency: 2,
};

async function countsOf(deps: Deps, runId: string) {
  const { rows } = await deps.pool.query<{ versions: number; forecasts: number; failures: number; production: number }>(
    `SELECT (SELECT count(*)::int FROM model_versions WHERE training_run = $1) AS versions,
            (SELECT count(*)::int FROM forecast_results WHERE run_id = $1) AS forecasts,
            (SELECT count(*)::int FROM training_failures WHERE run_id = $1) AS failures,
            (SELECT count(*)::int FROM model_versions WHERE training_run = $1 AND stage = 'production') AS production`,
    [runId],
  );
  return rows[0]!;
}

describe('weekly training against the real stack', () => {
  let deps: Deps;
  let client: Client;
  before(async () => {
    deps = createDeps(cfg, 'retailflow-test');
    client = await connectClient(cfg.temporal);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-training-'));
    generate(['--out', dir, '--stores', '50', '--products', '2', '--from', '2014-01-01', '--to', AS_OF, '--seed', '5']);
    await importStores(deps.pool, path.join(dir, 'store.csv'));
    // The generator names products p01, p02: renamed so no other test's series mix in.
    await importTrain(deps, path.join(dir, 'train.csv'), { warehouse: false });
    await deps.pool.query(
      `UPDATE sales SET product = 't' || right(product, 1) WHERE product IN ('p01', 'p02') AND date BETWEEN '2014-01-01' AND $1`,
      [AS_OF],
    );
    // Unfit-able: 10 days only; never any sales; closed for the last two months.
    await deps.pool.query(
      `INSERT INTO sales (store_id, product, date, sales, customers, open, promo, state_holiday, school_holiday)
       SELECT s, 'tx', d::date, CASE WHEN s = 1 THEN 500 WHEN s = 2 THEN 0 ELSE CASE WHEN d < '2014-05-01' THEN 700 ELSE 0 END END, 0,
              CASE WHEN s = 3 AND d >= '2014-05-01' THEN false ELSE true END, false, '0', false
       FROM unnest(ARRAY[1, 2, 3]) AS s, generate_series('2014-03-01'::date, $1::date, '1 day') AS d
       WHERE s <> 1 OR d > $1::date - 10
       ON CONFLICT DO NOTHING`,
      [AS_OF],
    );
  });
  after(async () => {
    await client.connection.close();
    await closeDeps(deps);
  });

  const run = (workflowId: string, o: TrainingOptions = options) =>
    client.workflow.execute('weeklyTraining', {
      workflowId,
      taskQueue: cfg.temporal.taskQueues.training,
      args: [o],
    }) as Promise<TrainingReport>;

  it('trains every series, registers a version each, writes exactly 7 forecasts per series, and reports the unfit ones', async () => {
    // Planners closed store 10 on a Wednesday of the coming week: its forecasts take the plan.
    await deps.pool.query(
      `INSERT INTO planned_calendar (store_id, date, open, promo, state_holiday, school_holiday, source)
       VALUES (10, '2014-07-02', false, false, '0', false, 'test') ON CONFLICT DO NOTHING`,
    );
    const runId = uniqueId('training');
    const report = await withWorker(cfg, cfg.temporal.taskQueues.training, () => run(runId));
    assert.equal(report.counts.series, 103);
    assert.equal(report.counts.shards, 7);
    assert.equal(report.counts.fitted + report.counts.unfit, 103);
    assert.ok(report.counts.unfit >= 3, `the three tx series at least (${report.counts.unfit})`);
    const counts = await countsOf(deps, runId);
    assert.deepEqual(counts, {
      versions: report.counts.fitted,
      forecasts: report.counts.fitted * 7,
      failures: report.counts.unfit,
      production: report.counts.promoted,
    });
    // Each shard snapshotted its own stores of the plan: together, every series of the window once.
    const execution = (await client.workflow.getHandle(runId).describe()).runId;
    const plan = JSON.parse(
      (await deps.store.read(trainingShardPlanObject(runId, execution))).toString('utf8'),
    ) as ShardStores[];
    assert.equal(plan.length, report.counts.shards);
    const window: string[] = [];
    for await (const line of seriesWindowLines(deps.pool, { ...options, planDays: options.horizon })) window.push(line);
    const shardLines = await Promise.all(
      plan.map(async ([first, last, series], shard) => {
        const text = (await deps.store.read(trainingShardObject(runId, shard, execution))).toString('utf8');
        const lines = text.split('\n').filter(Boolean);
        assert.equal(lines.length, series, `shard ${shard}: stores ${first}-${last}`);
        return lines;
      }),
    );
    assert.deepEqual(
      shardLines.flat(),
      window.map((l) => l.trimEnd()),
      'the shards hold the window, in order, each series once',
    );
    const { rows: reasons } = await deps.pool.query<{ store_id: number; reason: string }>(
      `SELECT store_id, reason FROM training_failures WHERE run_id = $1 AND product = 'tx' ORDER BY store_id`,
      [runId],
    );
    assert.match(reasons[0]!.reason, /too short: 10 open days/);
    assert.match(reasons[1]!.reason, /no sales/);
    assert.match(reasons[2]!.reason, /closed for the last 61 days/);
    const { rows: dates } = await deps.pool.query<{ d: string }>(
      `SELECT DISTINCT forecast_date::text AS d FROM forecast_results WHERE run_id = $1 ORDER BY d`,
      [runId],
    );
    assert.deepEqual(
      dates.map((r) => r.d),
      ['2014-07-01', '2014-07-02', '2014-07-03', '2014-07-04', '2014-07-05', '2014-07-06', '2014-07-07'],
    );
    const { rows: wednesday } = await deps.pool.query<{ store_id: number; product: string; forecast: number }>(
      `SELECT store_id, product, forecast FROM forecast_results
       WHERE run_id = $1 AND store_id IN (10, 11) AND product IN ('t1', 't2') AND forecast_date = '2014-07-02'
       ORDER BY store_id, product`,
      [runId],
    );
    assert.deepEqual(
      wednesday.map((r) => [r.store_id, r.product, r.forecast > 0]),
      [
        [10, 't1', false],
        [10, 't2', false],
        [11, 't1', true],
        [11, 't2', true],
      ],
      'closed as planned; the store beside it opens as assumed',
    );
    assert.ok(
      report.metrics.rmspe && report.metrics.rmspe.p50 > 0 && report.metrics.rmspe.p50 < 0.5,
      JSON.stringify(report.metrics),
    );
    const {
      rows: [runRow],
    } = await deps.pool.query<{ status: string }>('SELECT status FROM training_runs WHERE run_id = $1', [runId]);
    assert.equal(runRow!.status, 'done');

    // The same run again: versions and forecasts are updated in place, nothing is added.
    const again = await withWorker(cfg, cfg.temporal.taskQueues.training, () => run(runId));
    assert.deepEqual(again.counts, report.counts);
    assert.deepEqual(await countsOf(deps, runId), counts);
  });

  it("promotes a new run's versions unless they are worse than production by more than the margin", async () => {
    const first = uniqueId('training');
    const second = uniqueId('training');
    const [a, b] = await withWorker(cfg, cfg.temporal.taskQueues.training, async () => [
      await run(first, { ...options, products: ['t1'] }),
      // A baseline that backtests far worse than the fast engine stays in staging.
      await run(second, { ...options, products: ['t1'], engine: 'last_week', promotionMargin: 0.05 }),
    ]);
    assert.equal(a.counts.promoted, a.counts.fitted, 'the first run is promoted whole');
    assert.ok(
      b.counts.promoted < b.counts.fitted / 10,
      `the worse one mostly is not (${b.counts.promoted} of ${b.counts.fitted})`,
    );
    assert.equal((await countsOf(deps, second)).production, b.counts.promoted);
    const { rows: served } = await deps.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM forecast_results f JOIN model_versions v ON v.model = f.model AND v.version = f.model_version
       WHERE f.run_id = $1 AND v.training_run = $2`,
      [second, first],
    );
    assert.equal(
      served[0]!.n,
      7 * (b.counts.fitted - b.counts.promoted),
      'series not promoted are forecast by the production version',
    );

    // Rolling back is one registry call: promote the earlier version again.
    const {
      rows: [latest],
    } = await deps.pool.query<{ model: string; version: number }>(
      `SELECT model, version FROM model_versions WHERE training_run = $1 ORDER BY model LIMIT 1`,
      [second],
    );
    assert.ok(await promoteVersion(deps.pool, latest!.model, latest!.version));
    assert.ok(await promoteVersion(deps.pool, latest!.model, latest!.version - 1));
    const { rows: stages } = await deps.pool.query<{ version: number; stage: string }>(
      `SELECT version, stage FROM model_versions WHERE model = $1 AND stage = 'production'`,
      [latest!.model],
    );
    assert.deepEqual(
      stages,
      [{ version: latest!.version - 1, stage: 'production' }],
      'exactly one production version: the earlier one',
    );
    assert.equal(await promoteVersion(deps.pool, latest!.model, 999), false, 'an unknown version');
  });

  it('is cancelled cleanly mid-run: the run says so and every saved shard is whole', async () => {
    const runId = uniqueId('training');
    await withWorker(cfg, cfg.temporal.taskQueues.training, async () => {
      const handle = await client.workflow.start('weeklyTraining', {
        workflowId: runId,
        taskQueue: cfg.temporal.taskQueues.training,
        args: [{ ...options, shardSize: 4, concurrency: 1 }],
      });
      for (let i = 0; ; i++) {
        const p = await handle.query(trainingProgressQuery);
        if (p.counts.shardsDone >= 1) break;
        assert.ok(i < 600, 'no shard finished');
        await new Promise((r) => setTimeout(r, 100));
      }
      await handle.cancel();
      await assert.rejects(handle.result());
    });
    const {
      rows: [row],
    } = await deps.pool.query<{ status: string }>('SELECT status FROM training_runs WHERE run_id = $1', [runId]);
    assert.equal(row!.status, 'cancelled');
    const c = await countsOf(deps, runId);
    assert.ok(c.versions + c.failures < 103, 'it stopped before the end');
    assert.equal(c.forecasts, c.versions * 7, 'each saved series has its 7 forecasts');
  });

  it('is finished with exact counts by a new worker after the first is killed with SIGKILL mid-run', async () => {
    const runId = uniqueId('training');
    const startWorker = (): ChildProcess => startWorkerProcess('training');
    const workers: ChildProcess[] = [];
    try {
      const handle = await client.workflow.start('weeklyTraining', {
        workflowId: runId,
        taskQueue: cfg.temporal.taskQueues.training,
        args: [{ ...options, shardSize: 8 }],
      });
      workers.push(startWorker());
      for (let i = 0; ; i++) {
        const history = await handle.fetchHistory();
        const started = history.events?.filter((e) => e.activityTaskStartedEventAttributes).length ?? 0;
        if (started >= 2) break; // the snapshot and at least one shard
        assert.ok(i < 600, 'the worker never started a shard');
        await new Promise((r) => setTimeout(r, 100));
      }
      workers[0]!.kill('SIGKILL');
      workers.push(startWorker());
      const report = (await handle.result()) as TrainingReport;
      assert.equal(report.counts.fitted + report.counts.unfit, 103);
      assert.deepEqual(await countsOf(deps, runId), {
        versions: report.counts.fitted,
        forecasts: report.counts.fitted * 7,
        failures: report.counts.unfit,
        production: report.counts.promoted,
      });
    } finally {
      for (const w of workers) w.kill('SIGKILL');
    }
  });

  it('is started, followed and refused through the API with the right keys and clear errors', async () => {
    const ADMIN = 'admin-key-for-training-tests';
    const WRITER = 'writer-key-for-training-tests';
    const apiDeps = createApiDeps(testConfig({ API_KEYS: `ops:admin:${ADMIN},producer:write:${WRITER}` }));
    try {
      const app = createApp(apiDeps);
      const post = (url: string, body: unknown, key?: string) =>
        app.request(url, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        });
      const asOf = '2014-06-23';
      assert.equal((await post('/v1/training-runs', { asOf }, undefined)).status, 401);
      assert.equal((await post('/v1/training-runs', { asOf }, WRITER)).status, 403);
      for (const [body, field] of [
        [{ asOf, engine: 'arima' }, 'engine'],
        [{ asOf, windowDays: 5 }, 'windowDays'],
        [{ asOf: '2014-02-30' }, 'asOf'],
        [{ asOf, products: ['a b'] }, 'products.0'],
        [{ asOf, colour: 'red' }, 'body'],
        [{ asOf, engine: 'prophet', global: true }, 'global'],
      ] as const) {
        const res = await post('/v1/training-runs', body, ADMIN);
        const err = (await res.json()) as { error: { field?: string; message: string } };
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(err.error.field ?? 'body', field, err.error.message);
      }
      const res = await post('/v1/training-runs', { asOf, products: ['t2'], shardSize: 25 }, ADMIN);
      assert.equal(res.status, 202);
      const started = (await res.json()) as { workflowId: string; temporalUrl: string };
      assert.equal(started.workflowId, `weekly-training-${asOf}`);
      await withWorker(cfg, cfg.temporal.taskQueues.training, () =>
        client.workflow.getHandle(started.workflowId).result(),
      );
      const got = (await (await app.request(`/v1/training-runs/${started.workflowId}`)).json()) as {
        status: string;
        counts: { series: number; shards: number };
      };
      assert.equal(got.status, 'done');
      assert.deepEqual([got.counts.series, got.counts.shards], [50, 2]);
      const list = (await (await app.request('/v1/training-runs?limit=500')).json()) as { runs: { run_id: string }[] };
      assert.ok(list.runs.some((r) => r.run_id === started.workflowId));
      assert.equal(
        (await post(`/v1/training-runs/${started.workflowId}/cancel`, {}, ADMIN)).status,
        409,
        'an ended run cannot be cancelled',
      );
      assert.equal((await app.request('/v1/training-runs/no-such-run')).status, 404);

      // What the run left to read: stores, their series, the latest forecast, the versions (of a store it fitted).
      const {
        rows: [{ store_id: store } = { store_id: 0 }],
      } = await deps.pool.query<{ store_id: number }>(
        `SELECT m.store_id FROM model_versions v JOIN models m ON m.name = v.model WHERE v.training_run = $1 ORDER BY m.store_id LIMIT 1`,
        [started.workflowId],
      );
      const stores = (await (await app.request('/v1/stores')).json()) as {
        stores: { store_id: number; products: string[] }[];
      };
      assert.ok(stores.stores.find((s) => s.store_id === store)?.products.includes('t2'));
      const products = (await (await app.request(`/v1/stores/${store}/products`)).json()) as { products: string[] };
      assert.ok(products.products.includes('t1') && products.products.includes('t2'));
      const fc = (await (await app.request(`/v1/forecasts?store=${store}&product=t2`)).json()) as {
        runId: string;
        model: { name: string; version: number };
        forecast: { date: string }[];
      };
      assert.equal(fc.runId, started.workflowId);
      assert.equal(fc.model.name, `sales-forecast:${store}:t2`);
      assert.deepEqual(
        fc.forecast.map((p) => p.date),
        ['2014-06-24', '2014-06-25', '2014-06-26', '2014-06-27', '2014-06-28', '2014-06-29', '2014-06-30'],
      );
      const versions = (await (await app.request(`/v1/models/${store}/t2/versions`)).json()) as {
        versions: { version: number; stage: string; metrics: { rmspe: number } }[];
      };
      assert.ok(
        versions.versions.length >= 2 && versions.versions.filter((v) => v.stage === 'production').length === 1,
      );
      assert.ok(versions.versions.every((v) => typeof v.metrics.rmspe === 'number'));
      const oldest = versions.versions.at(-1)!.version;
      assert.equal((await post(`/v1/models/${store}/t2/versions/${oldest}/promote`, {}, WRITER)).status, 403);
      assert.equal((await post(`/v1/models/${store}/t2/versions/${oldest}/promote`, {}, ADMIN)).status, 200);
      const after = (await (await app.request(`/v1/models/${store}/t2/versions`)).json()) as typeof versions;
      assert.equal(after.versions.find((v) => v.stage === 'production')?.version, oldest, 'rolled back');
      const expectStatus = async (url: string, status: number, field?: string) => {
        const res = await app.request(url);
        assert.equal(res.status, status, url);
        if (field) assert.equal(((await res.json()) as { error: { field: string } }).error.field, field, url);
      };
      await expectStatus('/v1/stores/99999/products', 404);
      await expectStatus('/v1/stores/abc/products', 400, 'id');
      await expectStatus(`/v1/forecasts?store=${store}&product=nope`, 404);
      await expectStatus('/v1/forecasts?store=x&product=t2', 400, 'store');
      await expectStatus(`/v1/forecasts?store=${store}&product=a%20b`, 400, 'product');
      assert.equal((await post(`/v1/models/${store}/t2/versions/999/promote`, {}, ADMIN)).status, 404);

      // Retrain on demand: a double click (two starts while one is pending) is one workflow. The
      // store is planned closed on the second day of the new forecast.
      await deps.pool.query(
        `INSERT INTO planned_calendar (store_id, date, open, promo, state_holiday, school_holiday, source)
         VALUES ($1, '2014-07-02', false, false, '0', false, 'test') ON CONFLICT DO NOTHING`,
        [store],
      );
      const clicks = await Promise.all([1, 2].map(async () => post(`/v1/models/${store}/t2/retrain`, {}, ADMIN)));
      const [first, second] = await Promise.all(
        clicks.map(async (r) => {
          assert.equal(r.status, 202);
          return (await r.json()) as { workflowId: string; runId: string };
        }),
      );
      assert.deepEqual(second, first);
      assert.equal(first!.workflowId, `retrain-${store}-t2`);
      await withWorker(cfg, cfg.temporal.taskQueues.interactive, () =>
        client.workflow.getHandle(first!.workflowId).result(),
      );
      const retrain = (await (await app.request(`/v1/retrains/${first!.workflowId}`)).json()) as {
        status: string;
        result: { trained: boolean; version: number; promoted: boolean; metrics: { rmspe: number; folds: number } };
      };
      assert.equal(retrain.status, 'COMPLETED');
      assert.equal(retrain.result.trained, true);
      assert.equal(retrain.result.version, versions.versions[0]!.version + 1, 'a new version');
      assert.equal(retrain.result.metrics.folds, 3);
      const { rows: retrained } = await deps.pool.query<{ forecast_date: string; forecast: number }>(
        `SELECT forecast_date::text, forecast FROM forecast_results
         WHERE model = $1 AND model_version = $2 ORDER BY forecast_date`,
        [`sales-forecast:${store}:t2`, retrain.result.version],
      );
      assert.deepEqual(
        retrained.slice(0, 2).map((r) => [r.forecast_date, r.forecast > 0]),
        [
          ['2014-07-01', true],
          ['2014-07-02', false],
        ],
        'the retrain forecasts the planned closure',
      );
      const latestForecast = (await (await app.request(`/v1/forecasts?store=${store}&product=t2`)).json()) as {
        model: { version: number };
      };
      const served = (
        (await (await app.request(`/v1/models/${store}/t2/versions`)).json()) as typeof versions
      ).versions.find((v) => v.stage === 'production')!.version;
      assert.equal(latestForecast.model.version, served, 'the newest forecast comes from the version serving now');
      assert.equal((await post(`/v1/models/${store}/t2/retrain`, {}, WRITER)).status, 403);
      const noBody = await app.request('/v1/models/99999/t2/retrain', {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      assert.equal(noBody.status, 404, 'the body is optional; the unknown store is what is wrong');
      assert.equal((await post(`/v1/models/${store}/a%20b/retrain`, {}, ADMIN)).status, 400);
      assert.equal((await post(`/v1/models/${store}/t2/retrain`, { engine: 'arima' }, ADMIN)).status, 400);
      await expectStatus('/v1/retrains/retrain-0-none', 404);
    } finally {
      await closeApiDeps(apiDeps);
    }
  });

  /** The global models stored for a run. */
  const artifactsOf = async (runId: string) =>
    (
      await deps.store.client.bucket(deps.store.bucketName).getFiles({ prefix: `models/global-forecast/${runId}/` })
    )[0].map((f) => deps.store.uri(f.name));

  /** Each engine's versions of a run and the artifacts they reference. */
  const versionsByEngine = async (runId: string) =>
    (
      await deps.pool.query<{ engine: string; n: number; artifacts: (string | null)[] }>(
        `SELECT engine, count(*)::int AS n, array_agg(DISTINCT params->>'artifact') AS artifacts
         FROM model_versions WHERE training_run = $1 GROUP BY engine ORDER BY engine`,
        [runId],
      )
    ).rows;

  it('with global: one global model, each series its chosen engine, served from it; a rerun adds nothing; a retrain reuses it', async () => {
    const runId = uniqueId('training-global');
    const o: TrainingOptions = { ...options, products: ['t1'], global: true };
    const report = await withWorker(cfg, cfg.temporal.taskQueues.training, () => run(runId, o));
    const artifact = report.global!.artifact;
    assert.deepEqual(await artifactsOf(runId), [artifact]);
    assert.equal(report.global!.series, 50);
    const chosen = report.counts.chosen!;
    assert.equal(chosen.fast + chosen.global + chosen.blend, report.counts.fitted);
    assert.ok(chosen.blend > 0, JSON.stringify(chosen));
    const byEngine = await versionsByEngine(runId);
    assert.deepEqual(
      byEngine.map((v) => [v.engine, v.n]),
      Object.entries(chosen)
        .filter(([, n]) => n > 0)
        .sort(),
    );
    for (const v of byEngine) assert.deepEqual(v.artifacts, [v.engine === 'fast' ? null : artifact]);
    const {
      rows: [row],
    } = await deps.pool.query<{ counts: { chosen: unknown } }>('SELECT counts FROM training_runs WHERE run_id = $1', [
      runId,
    ]);
    assert.deepEqual(row!.counts.chosen, chosen);

    // One interval calibration for the run, stored with its model: every version's interval uses it,
    // whichever shard or batch trained it (fast versions have its quantiles times their own spread).
    const { calibration } = await globalModelParams(deps.store, artifact);
    assert.ok(calibration && calibration.lower < 0 && calibration.upper > 0, JSON.stringify(calibration));
    const { rows: intervals } = await deps.pool.query<{ engine: string; interval: unknown; ratio: number | null }>(
      `SELECT engine, params->'interval'->'calibration' AS interval,
              (params->>'upper')::float8 / (params->>'lower')::float8 AS ratio
       FROM model_versions WHERE training_run = $1`,
      [runId],
    );
    for (const v of intervals)
      if (v.engine === 'fast') assert.ok(Math.abs(v.ratio! - calibration.upper / calibration.lower) < 1e-9);
      else assert.deepEqual(v.interval, calibration);

    // The API serves a blend version from its artifact: its forecast is the one the run stored.
    const {
      rows: [blend],
    } = await deps.pool.query<{ store_id: number; product: string }>(
      `SELECT m.store_id, m.product FROM model_versions v JOIN models m ON m.name = v.model
       WHERE v.training_run = $1 AND v.engine = 'blend' AND v.stage = 'production' ORDER BY m.store_id LIMIT 1`,
      [runId],
    );
    const { rows: stored } = await deps.pool.query<{ forecast: number }>(
      `SELECT forecast FROM forecast_results WHERE run_id = $1 AND store_id = $2 AND product = $3 ORDER BY forecast_date`,
      [runId, blend!.store_id, blend!.product],
    );
    const apiDeps = createApiDeps(testConfig());
    try {
      const res = await createApp(apiDeps).request('/v1/forecast', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            store_id: blend!.store_id,
            product_name: blend!.product,
            begin_date: '2014-07-01',
            end_date: '2014-07-07',
            explain: true,
          },
        ]),
      });
      assert.equal(res.status, 200, await res.clone().text());
      const [answer] = (await res.json()) as {
        forecast: {
          value: number;
          calendar: { open: boolean };
          drivers: { level: number; factors: Record<string, number> } | null;
        }[];
      }[];
      answer!.forecast.forEach((p, i) =>
        assert.ok(Math.abs(p.value - stored[i]!.forecast) <= 1, `day ${i}: ${p.value} against ${stored[i]!.forecast}`),
      );
      // With its drivers as the blend computed them: the level times the factors is 1 + the day's
      // value (up to their rounding to whole units and thousandths); none on a closed day.
      assert.ok(answer!.forecast.some((p) => p.calendar.open));
      for (const p of answer!.forecast) {
        if (!p.calendar.open) {
          assert.equal(p.drivers, null);
          continue;
        }
        const product = p.drivers!.level * Object.values(p.drivers!.factors).reduce((a, b) => a * b, 1);
        assert.ok(Math.abs(product / (1 + p.value) - 1) < 0.005, `${product} against 1 + ${p.value}`);
        assert.deepEqual(Object.keys(p.drivers!.factors).sort(), [
          'closure',
          'holiday',
          'month',
          'promo',
          'season',
          'weekday',
        ]);
      }
      // The stored forecast carries the drivers the run computed for it, served by GET /v1/forecasts.
      const latest = await createApp(apiDeps).request(
        `/v1/forecasts?store=${blend!.store_id}&product=${blend!.product}`,
      );
      assert.equal(latest.status, 200, await latest.clone().text());
      const { forecast: storedDays } = (await latest.json()) as {
        forecast: { forecast: number; drivers: { level: number; factors: Record<string, number> } | null }[];
      };
      assert.equal(storedDays.length, 7);
      storedDays.forEach((p, i) => {
        const open = answer!.forecast[i]!.calendar.open;
        assert.equal(p.drivers === null, !open, `day ${i}`);
        if (!p.drivers) return;
        const product = p.drivers.level * Object.values(p.drivers.factors).reduce((a, b) => a * b, 1);
        assert.ok(
          Math.abs(product / (1 + p.forecast) - 1) < 0.005,
          `stored day ${i}: ${product} against 1 + ${p.forecast}`,
        );
      });
    } finally {
      await closeApiDeps(apiDeps);
    }

    // The same run again: one more artifact (its own execution's), no version or forecast added.
    const before = await countsOf(deps, runId);
    const again = await withWorker(cfg, cfg.temporal.taskQueues.training, () => run(runId, o));
    assert.deepEqual(await countsOf(deps, runId), before);
    assert.equal(again.counts.fitted, report.counts.fitted);
    assert.deepEqual((await artifactsOf(runId)).sort(), [artifact, again.global!.artifact].sort());
    for (const v of await versionsByEngine(runId))
      assert.deepEqual(v.artifacts, [v.engine === 'fast' ? null : again.global!.artifact]);

    // Retrain on demand refits fast and chooses against the global model its production version uses.
    const retrained = (await withWorker(cfg, cfg.temporal.taskQueues.interactive, () =>
      client.workflow.execute('retrainSeries', {
        workflowId: uniqueId('retrain-global'),
        taskQueue: cfg.temporal.taskQueues.interactive,
        args: [{ storeId: blend!.store_id, product: blend!.product, engine: 'fast', windowDays: 120 }],
      }),
    )) as { trained: boolean; model: string; version: number };
    assert.ok(retrained.trained);
    const {
      rows: [version],
    } = await deps.pool.query<{ engine: string; artifact: string | null }>(
      `SELECT engine, params->>'artifact' AS artifact FROM model_versions WHERE model = $1 AND version = $2`,
      [retrained.model, retrained.version],
    );
    assert.ok(['fast', 'global', 'blend'].includes(version!.engine));
    assert.equal(version!.artifact, version!.engine === 'fast' ? null : again.global!.artifact);
  });

  it('with global: killed with SIGKILL during the global fit, the run completes with one artifact and no duplicate version', async () => {
    const runId = uniqueId('training-global-crash');
    const workers: ChildProcess[] = [];
    try {
      const handle = await client.workflow.start('weeklyTraining', {
        workflowId: runId,
        taskQueue: cfg.temporal.taskQueues.training,
        args: [{ ...options, products: ['t2'], global: true }],
      });
      workers.push(startWorkerProcess('training'));
      await until(
        'the global model fitting in the worker',
        async () =>
          (await handle.describe()).raw.pendingActivities?.some(
            (a) =>
              a.activityType?.name === 'fitGlobalModel' &&
              a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
          ),
        { seconds: 120 },
      );
      workers[0]!.kill('SIGKILL');
      workers.push(startWorkerProcess('training'));
      const report = (await handle.result()) as TrainingReport;
      const history = await handle.fetchHistory();
      const fitAttempts = history.events
        ?.filter((e) => e.activityTaskStartedEventAttributes)
        .map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 1);
      assert.ok(
        fitAttempts?.some((a) => a > 1),
        'an activity the worker was killed in ran again',
      );
      assert.deepEqual(await artifactsOf(runId), [report.global!.artifact]);
      const counts = await countsOf(deps, runId);
      assert.deepEqual(counts, {
        versions: report.counts.fitted,
        forecasts: report.counts.fitted * 7,
        failures: report.counts.unfit,
        production: report.counts.promoted,
      });
      const {
        rows: [dup],
      } = await deps.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT model FROM model_versions WHERE training_run = $1 GROUP BY model HAVING count(*) > 1) d`,
        [runId],
      );
      assert.equal(dup!.n, 0);
    } finally {
      for (const w of workers) w.kill('SIGKILL');
    }
  });

  it('counts a shard once in the series-fitted and promotion counters when it is retried after its commit', async () => {
    // A shard of stores 1-3 (the three unfit tx series among them), as a run planned before shard
    // plans snapshotted it; trained by the activity in this process, whose counters are read here.
    const runId = uniqueId('count-once');
    const lines: string[] = [];
    for await (const line of seriesWindowLines(deps.pool, {
      ...options,
      planDays: options.horizon,
      stores: { first: 1, last: 3 },
    }))
      lines.push(line);
    await deps.store.write(trainingShardObject(runId, 0), lines.join(''), 'application/x-ndjson');
    const counters = async () => {
      const text = await registry.metrics();
      return {
        fitted: sampleValue(text, 'retailflow_series_fitted_total', { engine: 'fast', outcome: 'fitted' }),
        unfit: sampleValue(text, 'retailflow_series_fitted_total', { engine: 'fast', outcome: 'unfit' }),
        promoted: sampleValue(text, 'retailflow_promotions_total', { kind: 'sales_forecast' }),
      };
    };
    const trainShard = async () => {
      const before = await counters();
      const result: ShardResult = await new MockActivityEnvironment().run(
        trainingActivities(deps).trainShard,
        runId,
        0,
        options,
      );
      const now = await counters();
      return {
        result,
        counted: {
          fitted: now.fitted - before.fitted,
          unfit: now.unfit - before.unfit,
          promoted: now.promoted - before.promoted,
        },
      };
    };
    const first = await trainShard();
    assert.equal(first.result.series, 9);
    assert.ok(first.result.fitted > 0 && first.result.unfit >= 3 && first.result.promoted > 0, JSON.stringify(first));
    assert.deepEqual(first.counted, {
      fitted: first.result.fitted,
      unfit: first.result.unfit,
      promoted: first.result.promoted,
    });
    // The attempt after a kill -9 that hit past the commit: the same totals for the workflow, nothing counted again.
    const again = await trainShard();
    assert.deepEqual(again.result, first.result);
    assert.deepEqual(again.counted, { fitted: 0, unfit: 0, promoted: 0 });
    assert.deepEqual(await countsOf(deps, runId), {
      versions: first.result.fitted,
      forecasts: first.result.forecasts,
      failures: first.result.unfit,
      production: first.result.promoted,
    });
  });
});
