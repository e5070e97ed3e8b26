// powerUserTraining end to end on the real stack: generated GA4-like events in Postgres -> GCS ->
// BigQuery -> one labelled row per user -> tabularTraining on the power-user preset through
// Temporal (stratified split, every learner's grid x the four samplings, threshold from the
// validation folds, registered with the version); then proof that no test row is used in choosing
// the threshold; and the gate (`npm run gate -- power-user`) passing on the trained model and
// failing on a deliberately weak one. Its own Postgres schema.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import {
  POWER_USER_MODEL,
  powerUserTrainingChildId,
  type PowerUserTrainingInput,
  type PowerUserTrainingReport,
} from '../../contracts/powerUsers.ts';
import type { TabularReport, TabularTrainingInput } from '../../contracts/tabular.ts';
import { fitTabular, predictTabular, scoreOf, type FittedTabular } from '../../ml/tabular/evaluate.ts';
import {
  DEFAULT_POWER_USER_LABELING,
  POWER_USER_SPEC,
  POWER_USER_TARGET,
  powerUserTable,
} from '../../ml/tabular/presets/powerUser.ts';
import { targets } from '../../ml/tabular/rows.ts';
import type { RawRow } from '../../ml/tabular/values.ts';
import { saveGa4Events } from '../../platform/powerUserWarehouse.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { readRowSet, tabularObject } from '../../platform/tabularData.ts';
import { fittedTabular, productionTabular, registerTabularVersion } from '../../platform/tabularRegistry.ts';
import { tabularTrials } from '../../platform/tabularRuns.ts';
import { connectClient } from '../../platform/temporal.ts';
import { generateGa4Events, GA4_CUTOFF } from '../../scripts/data/ga4Generator.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { powerUserTraining } from '../../workflows/powerUserTraining.ts';
import { tabularTraining } from '../../workflows/tabularTraining.ts';
import { isolatedSchema, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

const run = promisify(execFile);
const labeling = { cutoff: GA4_CUTOFF, ...DEFAULT_POWER_USER_LABELING };
const search = { trials: 1000, concurrency: 2, folds: 3, learners: ['logistic', 'knn'] };

describe('powerUserTraining on the real stack (generated GA4 events)', () => {
  let isolated: IsolatedSchema;
  let client: Client;
  let taskQueue: string;
  const store = new ObjectStore(testConfig().gcs);
  const events = generateGa4Events({ seed: 11, users: 4000, from: '2020-11-01', to: '2021-01-31' });
  const reference = powerUserTable(events, labeling);
  const gate = () =>
    run('npm', ['run', '--silent', 'gate', '--', POWER_USER_MODEL], {
      env: { ...process.env, DATABASE_URL: isolated.cfg.postgres.url },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({
        code: err.code,
        stdout: err.stdout,
        stderr: err.stderr,
      }),
    );

  before(async () => {
    isolated = await isolatedSchema(testConfig(), 'pux');
    client = await connectClient(isolated.cfg.temporal);
    taskQueue = uniqueId('power-users');
    await saveGa4Events(isolated.pool, events);
  });
  after(async () => {
    await client?.connection.close();
    await isolated?.drop();
  });

  let report: PowerUserTrainingReport;
  const runId = uniqueId('power-users-e2e');

  it('builds the labelled users in BigQuery, searches every grid point x sampling, and registers the champion with its threshold', async () => {
    const input: PowerUserTrainingInput = { events: 'ga4', labeling, search };
    report = await withWorker(isolated.cfg, taskQueue, () =>
      client.workflow.execute(powerUserTraining, { taskQueue, workflowId: runId, args: [input] }),
    );
    assert.equal(report.features.events, events.length);
    assert.equal(report.features.users, reference.length);
    assert.equal(report.features.powerUsers, reference.filter((r) => r.power_user === 1).length);

    const training = report.training;
    assert.equal(training.runId, powerUserTrainingChildId(runId));
    assert.equal(training.rows, reference.length);
    // stratified: the test part holds the power users in proportion
    const test = await readRowSet(store, training.runId, 'test');
    const testPositives = targets(POWER_USER_SPEC, test).filter((v) => v === 1).length;
    const share = report.features.powerUsers / report.features.users;
    assert.ok(Math.abs(testPositives - share * test.length) <= 1, `${testPositives} of ${test.length}`);

    // the spec's grids: logistic 5 C values, knn 7 k x 2 weights; each x none, random, smote, adasyn
    const trials = await tabularTrials(isolated.pool, training.runId);
    assert.equal(trials.length, (5 + 14) * 4);
    for (const sampling of ['none', 'random', 'smote', 'adasyn'])
      assert.equal(trials.filter((t) => t.params.sampling === sampling).length, 19, sampling);
    for (const t of trials) assert.ok(t.metrics.threshold!.mean > 0 && t.metrics.threshold!.mean <= 1);

    // the champion's threshold is its trial's, chosen on the validation folds; test metrics are at it
    const production = await productionTabular(isolated.pool, POWER_USER_MODEL);
    assert.equal(production?.runId, training.runId);
    assert.equal(production.params.threshold, training.best.metrics.threshold!.mean);
    const fitted = await fittedTabular(store, production.params);
    assert.deepEqual(
      training.registration.metrics,
      scoreOf(POWER_USER_SPEC, targets(POWER_USER_SPEC, test), predictTabular(fitted, test), fitted.threshold),
    );
  });

  it('the gate passes on the trained model and prints the comparison table', async () => {
    const { code, stdout, stderr } = await gate();
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    assert.match(
      stdout,
      /model\s+sampling\s+trials\s+threshold\s+recall\s+precision\s+F1\s+log loss\s+ROC AUC\s+PR AUC/,
    );
    for (const sampling of ['none', 'random', 'smote', 'adasyn'])
      assert.match(stdout, new RegExp(`knn\\s+${sampling}\\s+14`));
    assert.match(stdout, /\[gate\] power-user version \d+ passed/);
  });

  it('chooses the threshold without the test rows: other test rows, the same trials and threshold', async () => {
    const rows = await readRowSet(store, report.training.runId, 'rows');
    const test = new Set((await readRowSet(store, report.training.runId, 'test')).map((r) => r.user_id));
    // the test rows' features scrambled (labels kept: the stratified split picks the same rows)
    const scrambled = rows.map((r) =>
      test.has(r.user_id) ? { ...r, sessions: '40', page_views: '0', revenue: '0', days_since_last: '29' } : r,
    );
    const columns = Object.keys(rows[0]!);
    const csv = [columns.join(','), ...scrambled.map((r) => columns.map((c) => String(r[c])).join(','))].join('\n');
    const uri = await store.write(`${uniqueId('uploads/power-user')}/users.csv`, csv, 'text/csv');
    const input: TabularTrainingInput = {
      model: POWER_USER_MODEL,
      source: { kind: 'csv', uri },
      split: { kind: 'stratified', testShare: 0.2, seed: 0 },
      search: { ...search, kind: 'grid', learners: ['logistic'] },
      // never promoted: the production model stays the first run's
      promotionMargin: 0.99,
    };
    const other: TabularReport = await withWorker(isolated.cfg, taskQueue, () =>
      client.workflow.execute(tabularTraining, {
        taskQueue,
        workflowId: uniqueId('tabular-pu-scrambled'),
        args: [input],
      }),
    );
    const otherTest = await readRowSet(store, other.runId, 'test');
    assert.deepEqual(otherTest.map((r) => r.user_id).sort(), [...test].sort());
    const firstTrials = (await tabularTrials(isolated.pool, report.training.runId)).filter(
      (t) => t.learner === 'logistic',
    );
    const otherTrials = await tabularTrials(isolated.pool, other.runId);
    assert.deepEqual(
      otherTrials.map((t) => [t.params, t.metrics]),
      firstTrials.map((t) => [t.params, t.metrics]),
    );
    // the chosen trial and its threshold are what the first run's logistic trials give
    const firstBest = firstTrials.reduce((a, t) => (t.metrics.logLoss!.mean < a.metrics.logLoss!.mean ? t : a));
    assert.deepEqual(other.best.params, firstBest.params);
    assert.equal(other.best.metrics.threshold!.mean, firstBest.metrics.threshold!.mean);
    // while the test rows it was measured on did differ: the same model scores otherwise on the original ones
    const fitted = JSON.parse(
      (await store.read(tabularObject(other.runId, 'model'))).toString('utf8'),
    ) as FittedTabular;
    assert.equal(fitted.threshold, firstBest.metrics.threshold!.mean);
    const original = await readRowSet(store, report.training.runId, 'test');
    assert.notDeepEqual(
      other.registration.metrics,
      scoreOf(POWER_USER_SPEC, targets(POWER_USER_SPEC, original), predictTabular(fitted, original), fitted.threshold),
    );
    // every scrambled test row has 40 sessions: most are called power users, so its precision is below
    // the gate's bar and the challenger is not promoted, whatever its log loss
    assert.equal(other.registration.promoted, false);
    assert.match(other.registration.reason, /^below the gate's bars: precision \d\.\d{3} is below the bar 0\.300$/);
  });

  it('the gate fails on a deliberately weak model in production, naming the bars it misses', async () => {
    const train = await readRowSet(store, report.training.runId, 'train');
    const test = await readRowSet(store, report.training.runId, 'test');
    // labels shuffled against the features: a model that learned nothing
    const shuffled: RawRow[] = train.map((r, i) => ({
      ...r,
      [POWER_USER_TARGET]: train[(i * 7919) % train.length]![POWER_USER_TARGET],
    }));
    const fitted = { ...fitTabular(POWER_USER_SPEC, shuffled, 'logistic', { C: 0.001 }, 0), threshold: 0.5 };
    const metrics = scoreOf(POWER_USER_SPEC, targets(POWER_USER_SPEC, test), predictTabular(fitted, test), 0.5);
    const weakRun = uniqueId('tabular-pu-weak');
    const registration = await registerTabularVersion(
      isolated.pool,
      store,
      {
        model: POWER_USER_MODEL,
        runId: weakRun,
        fitted,
        spec: POWER_USER_SPEC,
        trial: { trial: 0, learner: 'logistic', params: { C: 0.001 } },
        metrics: { test: metrics, crossValidation: {}, trials: 0 },
      },
      () =>
        Promise.resolve({ metrics, champion: null, promoted: true, reason: 'deliberately weak, for the gate test' }),
    );
    assert.equal(registration.promoted, true);
    const { code, stdout, stderr } = await gate();
    assert.equal(code, 1, `${stdout}\n${stderr}`);
    assert.match(
      stderr,
      new RegExp(
        `\\[gate\\] power-user version ${registration.version} FAILED: recall 0\\.000 is below the bar 0\\.500`,
      ),
    );
    assert.match(stdout, /no trials recorded for this run/);
  });
});
