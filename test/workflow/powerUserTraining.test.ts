// powerUserTraining with mocked activities: the features step, then a tabularTraining child on the
// power-user preset with the power-user defaults (stratified split, the four learners' grids), and
// bad input named by its field before anything runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DEFAULT_POWER_USER_SEARCH,
  DEFAULT_POWER_USER_SPLIT,
  powerUserTrainingChildId,
} from '../../contracts/powerUsers.ts';
import type { TabularTrainingOptions } from '../../contracts/tabular.ts';
import { powerUserTraining } from '../../workflows/index.ts';
import { startTestTemporal, withWorker, type Activities } from './env.ts';

const labeling = { cutoff: '2020-12-01', windowDays: 60, threshold: 110 };

function mocks() {
  const calls: string[] = [];
  let options: TabularTrainingOptions | undefined;
  const activities: Partial<Activities> = {
    buildPowerUserTable: (runId, input) => {
      calls.push(`features ${runId} ${input.events}`);
      return Promise.resolve({ events: 900, users: 100, powerUsers: 12, table: 'power_user_features_x' });
    },
    recordTabularRun: () => Promise.resolve(),
    planTabularTrials: (o) => {
      options = o;
      calls.push('plan');
      return Promise.resolve([{ trial: 0, learner: 'logistic', params: { sampling: 'smote', C: 1 } }]);
    },
    getTabularRows: () => Promise.resolve({ read: 100 }),
    preprocessTabularRows: () => Promise.resolve({ kept: 100, steps: [] }),
    splitTabularRows: () => Promise.resolve({ train: 80, test: 20 }),
    runTabularTrial: (_runId, plan) =>
      Promise.resolve({
        ...plan,
        metrics: { logLoss: { mean: 0.3, std: 0 }, threshold: { mean: 0.4, std: 0 } },
        seconds: 1,
      }),
    refitTabularModel: () => Promise.resolve(),
    registerTabularModel: () =>
      Promise.resolve({
        version: 1,
        label: 'x',
        promoted: true,
        reason: 'no champion yet',
        metrics: {},
        champion: null,
      }),
  };
  return { activities, calls, options: () => options };
}

describe('powerUserTraining (mocked activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('builds the features, then trains the power-user preset on their table as a child with the power-user defaults', async () => {
    const m = mocks();
    const report = await withWorker(env, m.activities, (taskQueue) =>
      env.client.workflow.execute(powerUserTraining, {
        taskQueue,
        workflowId: 'power-users-order',
        args: [{ events: 'online-retail', labeling, search: { concurrency: 3 } }],
      }),
    );
    assert.deepEqual(m.calls, ['features power-users-order online-retail', 'plan']);
    assert.equal(report.features.table, 'power_user_features_x');
    assert.equal(report.training.runId, powerUserTrainingChildId('power-users-order'));
    const o = m.options()!;
    assert.equal(o.model, 'power-user');
    assert.deepEqual(o.source, { kind: 'bigquery', table: 'power_user_features_x' });
    assert.deepEqual(o.split, DEFAULT_POWER_USER_SPLIT);
    assert.deepEqual(o.search.learners, DEFAULT_POWER_USER_SEARCH.learners);
    assert.equal(o.search.kind, 'grid');
    assert.equal(o.search.concurrency, 3);
    assert.equal(report.training.best.metrics.threshold?.mean, 0.4);
  });

  it('names a bad events source before anything runs', async () => {
    const m = mocks();
    const err = await withWorker(env, m.activities, (taskQueue) =>
      env.client.workflow
        .execute(powerUserTraining, {
          taskQueue,
          workflowId: 'power-users-bad',
          args: [{ events: 'kafka' as 'ga4', labeling }],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.match(String((err.cause as Error).message), /events: must be ga4 or online-retail, got "kafka"/);
    assert.deepEqual(m.calls, []);
  });
});
