// airQualityTraining with mocked activities: the window step, the missing-value counts, a
// tabularTraining child on exactly the window's months, the statistics and the baseline; a run that
// finds no new month still trains and says so; the test month's scores recorded last; no data trains nothing and says so; and the seed's
// retry policy (one retry, 5 minutes later) in the options of its activities and of the child, as
// Temporal recorded them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { AirQualityWindow } from '../../contracts/airQuality.ts';
import type { TabularTrainingOptions } from '../../contracts/tabular.ts';
import { airQualityTraining } from '../../workflows/index.ts';
import { startTestTemporal, withWorker, type Activities } from './env.ts';

const missing = { rows: 2000, withTarget: 1800, completeSensors: 1700, completeAll: 900 };
const baseline = { rmse: 1.2, mae: 0.9, rows: 600, fallbacks: 3 };

function mocks(window: AirQualityWindow | null) {
  const calls: string[] = [];
  let options: TabularTrainingOptions | undefined;
  const activities: Partial<Activities> = {
    advanceAirQualityWindow: (runId) => {
      calls.push(`window ${runId}`);
      return Promise.resolve(window);
    },
    countAirQualityMissing: (w) => {
      calls.push(`missing ${w.firstMonth}..${w.testMonth}`);
      return Promise.resolve(missing);
    },
    saveAirQualityStatistics: (version, w) => {
      calls.push(`statistics ${version} ${w.testMonth}`);
      return Promise.resolve(`gs://bucket/models/air-quality/${version}/normalization_stats.json`);
    },
    scoreAirQualityBaseline: (runId) => {
      calls.push(`baseline ${runId}`);
      return Promise.resolve(baseline);
    },
    recordAirQualityTestMonth: (runId, scored) => {
      calls.push(
        `test month ${runId} ${scored.window.testMonth} version ${scored.training.registration.version} baseline ${scored.baseline.rmse}`,
      );
      return Promise.resolve(true);
    },
    // the tabularTraining child's steps
    recordTabularRun: () => Promise.resolve(),
    planTabularTrials: (o) => {
      options = o;
      calls.push('plan');
      return Promise.resolve([{ trial: 0, learner: 'forest', params: { features: 'sensors', trees: 50 } }]);
    },
    getTabularRows: () => Promise.resolve({ read: 2000 }),
    preprocessTabularRows: () => Promise.resolve({ kept: 1800, steps: [] }),
    splitTabularRows: () => Promise.resolve({ train: 1200, test: 600 }),
    runTabularTrial: (_runId, plan) =>
      Promise.resolve({ ...plan, metrics: { rmse: { mean: 0.5, std: 0.01 } }, seconds: 1 }),
    refitTabularModel: () => Promise.resolve(),
    registerTabularModel: () =>
      Promise.resolve({
        version: 7,
        label: '20040801_210000',
        promoted: true,
        reason: 'no champion yet',
        metrics: { rmse: 0.5 },
        champion: null,
      }),
  };
  return { activities, calls, options: () => options };
}

describe('airQualityTraining (mocked activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('moves the window on, trains the air-quality preset on exactly its months, then stores the statistics and scores the baseline', async () => {
    const window = {
      firstMonth: '2004-03',
      testMonth: '2004-06',
      advanced: true,
      note: '2004-05 added to training; testing on 2004-06',
    };
    const m = mocks(window);
    const result = await withWorker(env, m.activities, (taskQueue) =>
      env.client.workflow.execute(airQualityTraining, { taskQueue, workflowId: 'air-quality-advanced', args: [{}] }),
    );
    assert.ok(!('skipped' in result));
    assert.deepEqual(result.window, window);
    assert.deepEqual(result.missing, missing);
    assert.deepEqual(result.baseline, baseline);
    assert.equal(result.statistics, 'gs://bucket/models/air-quality/7/normalization_stats.json');
    const child = 'tabular-air-quality-air-quality-advanced';
    assert.equal(result.training.runId, child);
    assert.deepEqual(m.calls, [
      'window air-quality-advanced',
      'missing 2004-03..2004-06',
      'plan',
      'statistics 7 2004-06',
      `baseline ${child}`,
      'test month air-quality-advanced 2004-06 version 7 baseline 1.2',
    ]);
    const o = m.options()!;
    assert.equal(o.model, 'air-quality');
    assert.deepEqual(o.source, { kind: 'postgres', table: 'air_quality_rows' });
    assert.deepEqual(o.split, {
      kind: 'period',
      column: 'DateTime',
      trainFrom: '2004-03-01 00:00:00',
      testFrom: '2004-06-01 00:00:00',
      testTo: '2004-07-01 00:00:00',
    });
  });

  it('retrains on the same window when no month is new, and says so', async () => {
    const window = {
      firstMonth: '2004-03',
      testMonth: '2005-04',
      advanced: false,
      note: 'no month after 2005-04 yet: retrained on the same window (testing on 2005-04)',
    };
    const m = mocks(window);
    const result = await withWorker(env, m.activities, (taskQueue) =>
      env.client.workflow.execute(airQualityTraining, { taskQueue, workflowId: 'air-quality-same', args: [{}] }),
    );
    assert.ok(!('skipped' in result));
    assert.equal(result.window.advanced, false);
    assert.match(result.window.note, /no month after 2005-04 yet: retrained on the same window/);
    assert.equal(m.calls.length, 6, 'trained and recorded all the same');
    assert.deepEqual(m.options()!.split, {
      kind: 'period',
      column: 'DateTime',
      trainFrom: '2004-03-01 00:00:00',
      testFrom: '2005-04-01 00:00:00',
      testTo: '2005-05-01 00:00:00',
    });
  });

  it('trains nothing without three months of readings, and says so', async () => {
    const m = mocks(null);
    const result = await withWorker(env, m.activities, (taskQueue) =>
      env.client.workflow.execute(airQualityTraining, { taskQueue, workflowId: 'air-quality-empty', args: [{}] }),
    );
    assert.ok('skipped' in result);
    assert.match(result.skipped, /fewer than three months .* import AirQualityUCI\.csv first/);
    assert.deepEqual(m.calls, ['window air-quality-empty']);
  });

  it("gives its activities and its training child the seed's retry policy: one retry, 5 minutes later", async () => {
    const window = { firstMonth: '2004-03', testMonth: '2004-05', advanced: true, note: 'first window' };
    const m = mocks(window);
    const history = await withWorker(env, m.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(airQualityTraining, {
        taskQueue,
        workflowId: 'air-quality-retry',
        args: [{}],
      });
      await handle.result();
      return handle.fetchHistory();
    });
    const seed = (
      policy:
        | {
            maximumAttempts?: number | null;
            initialInterval?: { seconds?: unknown } | null;
            backoffCoefficient?: number | null;
          }
        | null
        | undefined,
    ) => [policy?.maximumAttempts, Number(policy?.initialInterval?.seconds), policy?.backoffCoefficient];
    const activities = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a !== null && a !== undefined);
    assert.deepEqual(
      activities.map((a) => a.activityType?.name),
      [
        'advanceAirQualityWindow',
        'countAirQualityMissing',
        'saveAirQualityStatistics',
        'scoreAirQualityBaseline',
        'recordAirQualityTestMonth',
      ],
    );
    for (const a of activities) {
      assert.deepEqual(seed(a.retryPolicy), [2, 300, 1], a.activityType?.name ?? '');
      assert.ok(a.retryPolicy?.nonRetryableErrorTypes?.includes('InvalidInput'), 'bad input is not retried');
    }
    const child = (history.events ?? []).find(
      (e) => e.startChildWorkflowExecutionInitiatedEventAttributes,
    )!.startChildWorkflowExecutionInitiatedEventAttributes!;
    assert.equal(child.workflowType?.name, 'tabularTraining');
    assert.deepEqual(seed(child.retryPolicy), [2, 300, 1]);
  });
});
