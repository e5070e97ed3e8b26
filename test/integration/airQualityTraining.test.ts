// airQualityTraining on the real stack: generated readings from 10 March to late July 2004 imported
// by importAirQuality, then runs through Temporal with a real worker: the window moves on by one
// month per run (exact months in each run's training and test rows), a run finding no new month
// retrains on the same window and says so, each version's normalization statistics are the training
// part's and lie beside it in GCS, the baseline is scored on the test month; then the API serves the
// production version at /v1/models/air-quality/* and the seed's /air-quality/ping and /predict (each
// instance with its sensors' 168 previous hours, the history features then equal to training's), and
// the daily 21:00 New York schedule is registered once. Its own Postgres schema.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import {
  AIR_QUALITY_LAG,
  type AirQualityPooled,
  type AirQualityTestMonth,
  type AirQualityTrainingResult,
} from '../../contracts/airQuality.ts';
import { predictTabular } from '../../ml/tabular/evaluate.ts';
import { median, mean } from '../../ml/tabular/impute.ts';
import type { RawRow } from '../../ml/tabular/values.ts';
import { historyColumns } from '../../ml/tabular/historySpec.ts';
import { AIR_QUALITY_SENSORS, AIR_QUALITY_SPEC, AIR_QUALITY_TARGET } from '../../ml/tabular/presets/airQuality.ts';
import { ensureSchedules, DAILY_AIR_QUALITY_SCHEDULE_ID } from '../../platform/schedules.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { readRowSet } from '../../platform/tabularData.ts';
import { fittedTabular, productionTabular, tabularVersions, versionLabel } from '../../platform/tabularRegistry.ts';
import { connectClient } from '../../platform/temporal.ts';
import { generateAirQuality } from '../../scripts/data/airQualityGenerator.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { airQualityTraining } from '../../workflows/airQualityTraining.ts';
import { importAirQuality } from '../../workflows/importAirQuality.ts';
import { airQualitySchema } from '../helpers/airQualitySchema.ts';
import type { IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

type Trained = Exclude<AirQualityTrainingResult, { skipped: string }>;
const SEARCH = { trials: 4, folds: 2, concurrency: 2 };
const months = (rows: readonly RawRow[]) => [...new Set(rows.map((r) => String(r.DateTime).slice(0, 7)))].sort();

describe('airQualityTraining on the real stack (generated readings, March to July 2004)', () => {
  let isolated: IsolatedSchema;
  let client: Client;
  let taskQueue: string;
  const store = new ObjectStore(testConfig().gcs);
  const runs: Trained[] = [];
  const runIds: string[] = [];
  /** The run that retrained the last window, by its run id. */
  let retrained: { id: string; result: Trained } | undefined;
  const train = (workflowId = uniqueId('air-quality-training')) =>
    withWorker(isolated.cfg, taskQueue, () =>
      client.workflow.execute(airQualityTraining, { taskQueue, workflowId, args: [{ search: SEARCH }] }),
    );
  /** Rows with CO(GT) of a month, as Postgres counts them. */
  const withTarget = async (month: string) =>
    (
      await isolated.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM air_quality WHERE co_gt IS NOT NULL AND to_char(measured_at, 'YYYY-MM') = $1`,
        [month],
      )
    ).rows[0]!.n;

  before(async () => {
    isolated = await airQualitySchema(testConfig());
    client = await connectClient(isolated.cfg.temporal);
    taskQueue = uniqueId('air-quality');
  });
  after(async () => {
    await client?.connection.close();
    await isolated?.drop();
  });

  it('trains nothing without three months of readings, and says so', async () => {
    const result = await train();
    assert.deepEqual(result, {
      skipped:
        'fewer than three months of air-quality readings with CO(GT): import AirQualityUCI.csv first (npm run data -- import-air-quality)',
    });
    const { rows } = await isolated.pool.query('SELECT * FROM air_quality_window');
    assert.equal(rows.length, 0);
  });

  it('moves the window on by one month per run: exactly those months in training and test', async () => {
    const uri = await store.write(
      `${uniqueId('uploads/air-quality')}/AirQualityUCI.csv`,
      generateAirQuality({ seed: 3, rows: 3400 }),
      'text/csv',
    );
    const imported = await withWorker(isolated.cfg, taskQueue, () =>
      client.workflow.execute(importAirQuality, {
        taskQueue,
        workflowId: uniqueId('import-air-quality'),
        args: [{ uri }],
      }),
    );
    assert.equal(imported.loaded, 3400);
    assert.equal(imported.last, '2004-07-30 09:00:00');

    const expected = [
      { train: ['2004-03', '2004-04'], test: '2004-05' },
      { train: ['2004-03', '2004-04', '2004-05'], test: '2004-06' },
      { train: ['2004-03', '2004-04', '2004-05', '2004-06'], test: '2004-07' },
    ];
    for (const [i, want] of expected.entries()) {
      const id = uniqueId('air-quality-training');
      const result = (await train(id)) as Trained;
      runs.push(result);
      runIds.push(id);
      assert.equal(result.window.firstMonth, '2004-03', `run ${i + 1}`);
      assert.equal(result.window.testMonth, want.test, `run ${i + 1}`);
      assert.equal(result.window.advanced, true);
      const trainRows = await readRowSet(store, result.training.runId, 'train');
      const testRows = await readRowSet(store, result.training.runId, 'test');
      assert.deepEqual(months(trainRows), want.train, `run ${i + 1} training months`);
      assert.deepEqual(months(testRows), [want.test], `run ${i + 1} test month`);
      let inTraining = 0;
      for (const m of want.train) inTraining += await withTarget(m);
      assert.equal(result.training.train, inTraining, 'every row with CO(GT) of the training months');
      assert.equal(result.training.test, await withTarget(want.test), 'every row with CO(GT) of the test month');
      assert.equal(result.missing.withTarget, inTraining + result.training.test);
      assert.ok(result.missing.completeAll <= result.missing.completeSensors);
      assert.ok(result.missing.completeSensors < result.missing.withTarget, 'dropping would lose rows');
      assert.match(result.training.best.learner, /^(forest|boosting|average)$/);
      assert.equal(result.training.trials, SEARCH.trials);
      const state = await isolated.pool.query<{ test_month: string }>('SELECT test_month FROM air_quality_window');
      assert.deepEqual(
        state.rows.map((r) => r.test_month),
        [want.test],
      );
    }
    assert.equal(runs[0]!.window.note, 'first window: training on 2004-03 and 2004-04, testing on 2004-05');
    assert.equal(runs[1]!.window.note, '2004-05 added to training; testing on 2004-06');
  });

  it('retrains on the same window when no month is new, and says so; a rerun of a run id moves nothing', async () => {
    const id = uniqueId('air-quality-training');
    const result = (await train(id)) as Trained;
    assert.deepEqual(result.window, {
      firstMonth: '2004-03',
      testMonth: '2004-07',
      advanced: false,
      note: 'no month after 2004-07 yet: retrained on the same window (testing on 2004-07)',
    });
    assert.deepEqual(months(await readRowSet(store, result.training.runId, 'test')), ['2004-07']);
    assert.equal(result.training.train, runs[2]!.training.train);
    retrained = { id, result };
    const again = (await train(id)) as Trained;
    assert.deepEqual(again.window, result.window);
    assert.equal(again.training.registration.version, result.training.registration.version);
    const recorded = await isolated.pool.query('SELECT run_id FROM air_quality_runs');
    assert.equal(recorded.rows.length, 4, 'one window per run id');
    const scored = await isolated.pool.query('SELECT run_id FROM air_quality_test_months WHERE run_id = $1', [id]);
    assert.equal(scored.rows.length, 1, 'one scored test month per run id');
  });

  it("stores each version's normalization statistics, the training part's, beside it in GCS", async () => {
    assert.equal(runs.length, 3);
    for (const run of runs) {
      const version = run.training.registration.version;
      const object = `models/air-quality/${version}/normalization_stats.json`;
      assert.equal(run.statistics, store.uri(object));
      const stats = JSON.parse((await store.read(object)).toString('utf8')) as {
        version: number;
        label: string;
        labelTimeZone: string;
        rows: number;
        columns: Record<string, { mean: number; std: number }>;
        fill: Record<string, number>;
        window: { firstMonth: string; testMonth: string };
      };
      const trainRows = await readRowSet(store, run.training.runId, 'train');
      assert.equal(stats.version, version);
      // labelled on the seed's US/Eastern clock, the zone named beside the label
      const listed = (await tabularVersions(isolated.pool, 'air-quality')).find((v) => v.version === version)!;
      assert.equal(stats.label, run.training.registration.label);
      assert.deepEqual(
        [listed.params.label, listed.params.labelTimeZone, stats.labelTimeZone],
        [stats.label, 'America/New_York', 'America/New_York'],
      );
      const minute = (shift: number) =>
        versionLabel(new Date(listed.createdAt.getTime() + shift), 'America/New_York').slice(0, 13);
      assert.ok(
        [-60_000, 0, 60_000].map(minute).includes(stats.label.slice(0, 13)),
        `${stats.label} vs ${listed.createdAt.toISOString()}`,
      );
      assert.equal(stats.rows, trainRows.length);
      assert.deepEqual(stats.window, { firstMonth: run.window.firstMonth, testMonth: run.window.testMonth });
      for (const column of ['PT08.S1(CO)', 'T', 'RH']) {
        const present = trainRows
          .map((r) => r[column])
          .filter((v) => v !== '')
          .map(Number);
        const fill = median(present);
        const filled = trainRows.map((r) => (r[column] === '' ? fill : Number(r[column])));
        const m = mean(filled);
        const std = Math.sqrt(mean(filled.map((v) => (v - m) ** 2)));
        assert.ok(present.length < trainRows.length, `${column} has gaps to fill`);
        assert.equal(stats.fill[column], fill, column);
        assert.ok(Math.abs(stats.columns[column]!.mean - m) < 1e-9 * Math.abs(m), column);
        assert.ok(Math.abs(stats.columns[column]!.std - std) < 1e-9 * std, column);
      }
    }
  });

  it('scores the same-hour-yesterday baseline on the test month', async () => {
    assert.equal(runs.length, 3);
    for (const run of runs) {
      const test = await readRowSet(store, run.training.runId, 'test');
      const train = await readRowSet(store, run.training.runId, 'train');
      const fallback = mean(train.map((r) => Number(r[AIR_QUALITY_TARGET])));
      const errors = test.map((r) => {
        const lag = r[AIR_QUALITY_LAG] === '' ? fallback : Number(r[AIR_QUALITY_LAG]);
        return Number(r[AIR_QUALITY_TARGET]) - lag;
      });
      assert.equal(run.baseline.rows, test.length);
      assert.equal(run.baseline.fallbacks, test.filter((r) => r[AIR_QUALITY_LAG] === '').length);
      assert.ok(Math.abs(run.baseline.mae - mean(errors.map(Math.abs))) < 1e-12);
      assert.ok(Math.abs(run.baseline.rmse - Math.sqrt(mean(errors.map((e) => e * e)))) < 1e-12);
      assert.ok(run.training.registration.metrics.rmse! < run.baseline.rmse, 'the model beats the naive forecast');
    }
  });

  describe('serving', () => {
    let deps: ApiDeps;
    let app: ReturnType<typeof createApp>;
    before(() => {
      deps = createApiDeps(isolated.cfg);
      app = createApp(deps);
    });
    after(() => closeApiDeps(deps));

    const call = async (method: string, url: string, body?: unknown) => {
      const res = await app.request(url, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headers: { 'content-type': 'application/json' },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    it("answers /v1/models/air-quality/* and the seed's /air-quality/ping and /predict from the production version", async () => {
      const production = (await productionTabular(isolated.pool, 'air-quality'))!;
      const fitted = await fittedTabular(store, production.params);
      const test = (await readRowSet(store, runs[2]!.training.runId, 'test')).slice(0, 30);
      const source = await readRowSet(store, runs[2]!.training.runId, 'source');
      const byTime = new Map(source.map((r) => [String(r.DateTime), r]));
      const computed = new Set(historyColumns(AIR_QUALITY_SPEC.history!));
      const hoursBefore = (at: unknown, k: number) =>
        new Date(Date.parse(`${String(at).replace(' ', 'T')}Z`) - k * 3_600_000)
          .toISOString()
          .replace('T', ' ')
          .slice(0, 19);
      // as a JSON client sends an hour: numbers, null for a missing reading; no target, no lag; no
      // history feature but the device's readings of the 168 hours before, newest first (null: no row)
      const reading = (r: RawRow, columns: readonly string[]) =>
        Object.fromEntries(columns.map((c) => [c, r[c] === '' ? null : Number(r[c])]));
      // a version of the sensors-only set reads the history; one of the all-columns set does not
      const readsHistory = fitted.preprocessing.spec.history !== undefined;
      const instances = test.map((r) => ({
        ...Object.fromEntries(
          Object.entries(r)
            .filter(([c]) => c !== AIR_QUALITY_TARGET && c !== AIR_QUALITY_LAG && !computed.has(c))
            .map(([c, v]) => [c, c === 'DateTime' ? v : v === '' ? null : Number(v)]),
        ),
        ...(readsHistory
          ? {
              history: Array.from({ length: 168 }, (_, k) => {
                const before = byTime.get(hoursBefore(r.DateTime, k + 1));
                return before ? reading(before, AIR_QUALITY_SENSORS) : null;
              }),
            }
          : {}),
      }));
      assert.ok(
        test.every((r) => [...computed].some((c) => r[c] !== null)),
        'the test rows have history features',
      );
      const expected = predictTabular(fitted, test);

      const ping = await call('GET', '/air-quality/ping');
      assert.equal(ping.status, 200, JSON.stringify(ping.body));
      assert.deepEqual(ping.body, { ready: true, version: production.version, label: production.params.label });
      const v1Ping = await call('GET', '/v1/models/air-quality/ping');
      assert.equal(v1Ping.status, 200);
      assert.equal(v1Ping.body.version, production.version);

      const seed = await call('POST', '/air-quality/predict', { instances });
      assert.equal(seed.status, 200, JSON.stringify(seed.body));
      assert.deepEqual(seed.body, { predictions: expected });
      const v1 = await call('POST', '/v1/models/air-quality/predict', { instances });
      assert.equal(v1.status, 200);
      assert.deepEqual(v1.body.predictions, expected);

      // the file's -200 is a missing reading the model fills in, as null is
      const withMarker = { ...instances[0], T: -200 };
      const withNull = { ...instances[0], T: null };
      const filled = await call('POST', '/air-quality/predict', { instances: [withMarker, withNull] });
      assert.equal(filled.status, 200);
      const [a, b] = filled.body.predictions as number[];
      assert.equal(a, b);

      // the model reads the sensors' history: without it, or with an entry that is no reading, a 400 names the field
      const { history = [], ...noHistory } = instances[0]! as { history?: unknown[] };
      if (!readsHistory) {
        const refused = await call('POST', '/air-quality/predict', { instances: [{ ...noHistory, history: [] }] });
        assert.equal(refused.status, 400);
        assert.match((refused.body.error as { message: string }).message, /history: is not an input of this model/);
      }
      for (const [instance, field, message] of readsHistory
        ? ([
            [noHistory, 'instances.0.history', /is required by this model: a list of the 168 previous hours' readings/],
            [{ ...noHistory, history: history.slice(1) }, 'instances.0.history', /has 167 entries/],
            [
              { ...noHistory, history: history.map((h, k) => (k === 5 ? { ...(h as object), T: 'warm' } : h)) },
              'instances.0.history.5.T',
              /"warm", not a number/,
            ],
          ] as const)
        : []) {
        const refused = await call('POST', '/air-quality/predict', { instances: [instance] });
        assert.equal(refused.status, 400, field);
        const error = refused.body.error as { field: string; message: string };
        assert.equal(error.field, field);
        assert.match(error.message, message);
      }

      const noHour = Object.fromEntries(Object.entries(instances[0]!).filter(([c]) => c !== 'Hour'));
      const bad = await call('POST', '/air-quality/predict', { instances: [noHour] });
      assert.equal(bad.status, 400);
      assert.deepEqual(
        [(bad.body.error as { field: string }).field, (bad.body.error as { message: string }).message],
        ['instances.0.Hour', 'instances.0.Hour: is required'],
      );
    });

    it("lists each run's test month scored beside the baseline, with its window, choice and version, and the months pooled", async () => {
      assert.ok(retrained, 'the same-window run ran');
      const { status, body } = await call('GET', '/v1/air-quality-runs');
      assert.equal(status, 200, JSON.stringify(body));
      const listed = body.runs as AirQualityTestMonth[];
      const made = [...runs.map((r, i) => ({ id: runIds[i]!, result: r })), retrained];
      // newest first: the same-window run, then the three that moved the window, latest first
      assert.deepEqual(
        listed.map((r) => r.runId),
        made.map((m) => m.id).reverse(),
      );
      for (const { id, result } of made) {
        const row = listed.find((r) => r.runId === id)!;
        const { registration, best } = result.training;
        const { features, ...params } = best.params;
        assert.deepEqual(
          { ...row, recordedAt: undefined },
          {
            runId: id,
            firstMonth: '2004-03',
            testMonth: result.window.testMonth,
            advanced: result.window.advanced,
            trainRows: result.training.train,
            testRows: result.training.test,
            version: registration.version,
            label: registration.label,
            promoted: registration.promoted,
            learner: best.learner,
            featureSet: features,
            params,
            model: { rmse: registration.metrics.rmse, mae: registration.metrics.mae },
            baseline: { rmse: result.baseline.rmse, mae: result.baseline.mae, fallbacks: result.baseline.fallbacks },
            recordedAt: undefined,
          },
        );
      }
      // July counts once, by its latest run: the three test months as one test set
      const counted = [runs[0]!, runs[1]!, retrained.result];
      const rows = counted.reduce((n, r) => n + r.training.test, 0);
      const pooledRmse = (score: (r: Trained) => number) =>
        Math.sqrt(counted.reduce((s, r) => s + score(r) ** 2 * r.training.test, 0) / rows);
      const pooled = body.pooled as AirQualityPooled;
      assert.deepEqual([pooled.months, pooled.rows], [['2004-05', '2004-06', '2004-07'], rows]);
      assert.ok(Math.abs(pooled.model.rmse - pooledRmse((r) => r.training.registration.metrics.rmse!)) < 1e-12);
      assert.ok(Math.abs(pooled.baseline.rmse - pooledRmse((r) => r.baseline.rmse)) < 1e-12);
      assert.ok(pooled.model.rmse < pooled.baseline.rmse);
      const limited = await call('GET', '/v1/air-quality-runs?limit=1');
      assert.deepEqual(
        (limited.body.runs as AirQualityTestMonth[]).map((r) => r.runId),
        [retrained.id],
      );
    });
  });

  it('registers the daily 21:00 New York schedule once, however often start-up runs', async () => {
    await ensureSchedules(client, isolated.cfg);
    await ensureSchedules(client, isolated.cfg);
    const ids: string[] = [];
    for await (const s of client.schedule.list()) ids.push(s.scheduleId);
    assert.equal(ids.filter((id) => id === DAILY_AIR_QUALITY_SCHEDULE_ID).length, 1);
    const daily = await client.schedule.getHandle(DAILY_AIR_QUALITY_SCHEDULE_ID).describe();
    assert.equal(daily.action.type === 'startWorkflow' && daily.action.workflowType, 'airQualityTraining');
    assert.equal(daily.spec.timezone, 'America/New_York');
    assert.deepEqual(
      [daily.spec.calendars?.[0]?.hour, daily.spec.calendars?.[0]?.minute],
      [[{ start: 21, end: 21, step: 1 }], [{ start: 0, end: 0, step: 1 }]],
    );
    assert.equal(daily.state.paused, false);
  });
});
