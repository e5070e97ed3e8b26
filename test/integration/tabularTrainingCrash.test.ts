// kill -9 of the training worker in the middle of a hyperparameter search, while trials are
// cross-validating in its worker threads: a new worker retries what was in flight, the trials
// recorded before the kill are returned as recorded (not run again), and the run ends with every
// trial of the plan recorded exactly once and one registry version. Then the same kill in the
// middle of airQualityTraining's search: the window it recorded before the kill is the run's, moved
// once, with one version and its statistics; and while powerUserTraining builds its labelled users.
// Each its own Postgres schema (the worker gets it through DATABASE_URL).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import proto from '@temporalio/proto';
import type { AirQualityTrainingResult } from '../../contracts/airQuality.ts';
import {
  POWER_USER_MODEL,
  powerUserTrainingChildId,
  type PowerUserTrainingInput,
  type PowerUserTrainingReport,
} from '../../contracts/powerUsers.ts';
import type { TabularReport, TabularTrainingInput } from '../../contracts/tabular.ts';
import { parseAirQualityFile } from '../../domain/airQuality.ts';
import { DEFAULT_POWER_USER_LABELING, powerUserTable } from '../../ml/tabular/presets/powerUser.ts';
import { saveAirQualityFile } from '../../platform/airQuality.ts';
import { saveGa4Events } from '../../platform/powerUserWarehouse.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { tabularVersions } from '../../platform/tabularRegistry.ts';
import { connectClient } from '../../platform/temporal.ts';
import { generateAirQuality } from '../../scripts/data/airQualityGenerator.ts';
import { BIGMART_TRAIN_HEADER, bigmartCsv, generateBigMart } from '../../scripts/data/bigmartGenerator.ts';
import { airQualitySchema } from '../helpers/airQualitySchema.ts';
import { GA4_CUTOFF, generateGa4Events } from '../../scripts/data/ga4Generator.ts';
import { isolatedSchema, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';
import { startWorkerProcess } from '../helpers/workerProcess.ts';

const { PendingActivityState } = proto.temporal.api.enums.v1;
const TRIALS = 8;
const labeling = { cutoff: GA4_CUTOFF, ...DEFAULT_POWER_USER_LABELING };

interface TrialRow {
  trial: number;
  metrics: unknown;
  seconds: number;
  created_at: Date;
}

describe('a training worker killed with SIGKILL in the middle of a hyperparameter search', () => {
  let isolated: IsolatedSchema;
  let input: TabularTrainingInput;
  const workers: ChildProcess[] = [];
  const startWorker = (): ChildProcess =>
    startWorkerProcess('training', { ...process.env, DATABASE_URL: isolated.cfg.postgres.url });
  const trialRows = async (runId: string) =>
    (
      await isolated.pool.query<TrialRow>(
        'SELECT trial, metrics, seconds, created_at FROM tabular_trials WHERE run_id = $1 ORDER BY trial',
        [runId],
      )
    ).rows;

  before(async () => {
    isolated = await isolatedSchema(testConfig(), 'tabcrash');
    const { train } = generateBigMart({ seed: 11, rows: 3000 });
    const csv = bigmartCsv(BIGMART_TRAIN_HEADER, train);
    const uri = await new ObjectStore(isolated.cfg.gcs).write(
      `${uniqueId('uploads/bigmart-crash')}/Train.csv`,
      csv,
      'text/csv',
    );
    // Forest trials take seconds each, so the kill lands while some are cross-validating.
    input = {
      model: 'bigmart',
      source: { kind: 'csv', uri },
      search: { kind: 'random', trials: TRIALS, concurrency: 2, folds: 3, seed: 2, learners: ['forest', 'ridge'] },
    };
  });
  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await isolated?.drop();
  });

  it('is finished by a new worker with every trial recorded once', async () => {
    const cfg = isolated.cfg;
    const client = await connectClient(cfg.temporal);
    try {
      const runId = uniqueId('tabular-crash');
      const handle = await client.workflow.start('tabularTraining', {
        workflowId: runId,
        taskQueue: cfg.temporal.taskQueues.training,
        args: [input],
      });
      workers.push(startWorker());
      // Killed with a trial recorded and another cross-validating in the worker (not between two activities).
      await until(
        'a trial recorded and another running',
        async () =>
          (await trialRows(runId)).length > 0 &&
          (await handle.describe()).raw.pendingActivities?.some(
            (a) =>
              a.activityType?.name === 'runTabularTrial' &&
              a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
          ),
        { seconds: 120 },
      );
      workers[0]!.kill('SIGKILL');
      const beforeKill = await trialRows(runId);
      assert.ok(beforeKill.length < TRIALS, 'the search was still going at the kill');
      workers.push(startWorker());
      const report = (await handle.result()) as TabularReport;

      const history = await handle.fetchHistory();
      const retried = history.events?.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
      assert.ok(retried?.length, 'a trial the worker was killed in ran again');

      const recorded = await trialRows(runId);
      assert.deepEqual(
        recorded.map((t) => t.trial),
        Array.from({ length: TRIALS }, (_, i) => i),
      );
      // What was recorded before the kill is what the run used: returned, not run and written again.
      for (const t of beforeKill) assert.deepEqual(recorded[t.trial], t);
      assert.equal(report.trials, TRIALS);
      assert.equal(report.best.metrics.rmse!.mean, Math.min(...recorded.map((t) => readRmse(t.metrics))));

      const versions = await tabularVersions(isolated.pool, 'bigmart');
      assert.deepEqual(
        versions.map((v) => [v.version, v.stage, v.runId]),
        [[1, 'production', runId]],
      );
      const {
        rows: [run],
      } = await isolated.pool.query<{ status: string; counts: { trialsDone: number; trialsTotal: number } }>(
        'SELECT status, counts FROM tabular_runs WHERE run_id = $1',
        [runId],
      );
      assert.equal(run?.status, 'done');
      assert.equal(run?.counts.trialsDone, TRIALS);
      assert.equal(run?.counts.trialsTotal, TRIALS);
    } finally {
      await client.connection.close();
    }
  });
});

describe('a training worker killed with SIGKILL in the middle of airQualityTraining', () => {
  let isolated: IsolatedSchema;
  const workers: ChildProcess[] = [];
  const startWorker = (): ChildProcess =>
    startWorkerProcess('training', { ...process.env, DATABASE_URL: isolated.cfg.postgres.url });

  before(async () => {
    isolated = await airQualitySchema(testConfig());
    // March to May 2004: the first window, training on March and April, testing on May
    const { readings, rejected } = parseAirQualityFile(generateAirQuality({ seed: 5, rows: 2000 }));
    await saveAirQualityFile(isolated.pool, 'crash-test', readings, rejected);
  });
  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await isolated?.drop();
  });

  it('is finished by a new worker on the window recorded before the kill, moved once', async () => {
    const client = await connectClient(isolated.cfg.temporal);
    try {
      const runId = uniqueId('air-quality-crash');
      const handle = await client.workflow.start('airQualityTraining', {
        workflowId: runId,
        taskQueue: isolated.cfg.temporal.taskQueues.training,
        args: [{ search: { trials: 2, folds: 2, concurrency: 2 } }],
      });
      workers.push(startWorker());
      const child = client.workflow.getHandle(`tabular-air-quality-${runId}`);
      await until(
        'the window recorded and a trial of its training running',
        async () =>
          (await isolated.pool.query('SELECT 1 FROM air_quality_runs WHERE run_id = $1', [runId])).rowCount === 1 &&
          Boolean(
            (await child.describe().catch(() => undefined))?.raw.pendingActivities?.some(
              (a) =>
                a.activityType?.name === 'runTabularTrial' &&
                a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
            ),
          ),
        { seconds: 120 },
      );
      workers[0]!.kill('SIGKILL');
      workers.push(startWorker());
      const result = (await handle.result()) as AirQualityTrainingResult;
      assert.ok(!('skipped' in result), JSON.stringify(result));
      const retried = (await child.fetchHistory()).events?.filter(
        (e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
      );
      assert.ok(retried?.length, 'a trial the worker was killed in ran again');
      assert.deepEqual(
        [result.window.firstMonth, result.window.testMonth, result.window.advanced],
        ['2004-03', '2004-05', true],
      );
      const { rows: windows } = await isolated.pool.query<{ first_month: string; test_month: string }>(
        'SELECT first_month, test_month FROM air_quality_window',
      );
      assert.deepEqual(windows, [{ first_month: '2004-03', test_month: '2004-05' }], 'the window moved once');
      assert.equal((await isolated.pool.query('SELECT 1 FROM air_quality_runs')).rowCount, 1);
      const versions = await tabularVersions(isolated.pool, 'air-quality');
      assert.deepEqual(
        versions.map((v) => [v.version, v.runId]),
        [[1, `tabular-air-quality-${runId}`]],
      );
      const stats = JSON.parse(
        (await new ObjectStore(isolated.cfg.gcs).read('models/air-quality/1/normalization_stats.json')).toString(
          'utf8',
        ),
      ) as { label: string; window: unknown };
      assert.deepEqual(
        [stats.label, stats.window],
        [versions[0]!.params.label, { firstMonth: '2004-03', testMonth: '2004-05' }],
      );
    } finally {
      await client.connection.close();
    }
  });
});

const readRmse = (metrics: unknown) => (metrics as { rmse: { mean: number } }).rmse.mean;

// powerUserTraining's own step: the worker killed while it builds the labelled users (events
// Postgres -> GCS -> BigQuery, then the feature table there); the retry replaces what the killed
// attempt wrote, so the table has each user once and the search runs on it as usual.
describe('a training worker killed with SIGKILL while powerUserTraining builds its table', () => {
  let isolated: IsolatedSchema;
  const workers: ChildProcess[] = [];
  const events = generateGa4Events({ seed: 5, users: 1500, from: '2020-11-01', to: '2021-01-31' });
  const reference = powerUserTable(events, labeling);

  before(async () => {
    isolated = await isolatedSchema(testConfig(), 'pucrash');
    await saveGa4Events(isolated.pool, events);
  });
  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await isolated?.drop();
  });

  it('is finished by a new worker with each user once and one registry version', async () => {
    const cfg = isolated.cfg;
    const startWorker = () => startWorkerProcess('training', { ...process.env, DATABASE_URL: cfg.postgres.url });
    const client = await connectClient(cfg.temporal);
    try {
      const input: PowerUserTrainingInput = {
        events: 'ga4',
        labeling,
        search: { kind: 'grid', trials: 4, concurrency: 2, folds: 2, learners: ['logistic'] },
      };
      const workflowId = uniqueId('power-users-crash');
      const handle = await client.workflow.start('powerUserTraining', {
        workflowId,
        taskQueue: cfg.temporal.taskQueues.training,
        args: [input],
      });
      workers.push(startWorker());
      await until(
        'buildPowerUserTable running',
        async () =>
          (await handle.describe()).raw.pendingActivities?.some(
            (a) =>
              a.activityType?.name === 'buildPowerUserTable' &&
              a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
          ),
        { seconds: 120 },
      );
      workers[0]!.kill('SIGKILL');
      workers.push(startWorker());
      const report = (await handle.result()) as PowerUserTrainingReport;

      const history = await handle.fetchHistory();
      assert.ok(
        history.events?.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1),
        'buildPowerUserTable ran again',
      );
      assert.equal(report.features.events, events.length);
      assert.equal(report.features.users, reference.length);
      assert.equal(report.features.powerUsers, reference.filter((r) => r.power_user === 1).length);
      assert.equal(report.training.rows, reference.length);
      assert.equal(report.training.trials, 4);
      const versions = await tabularVersions(isolated.pool, POWER_USER_MODEL);
      assert.deepEqual(
        versions.map((v) => [v.version, v.runId]),
        [[1, powerUserTrainingChildId(workflowId)]],
      );
    } finally {
      await client.connection.close();
    }
  });
});
