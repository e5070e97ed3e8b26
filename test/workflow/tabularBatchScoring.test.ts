// tabularBatchScoring and the bigmart schedule's scheduledTabularTraining with mocked activities:
// the steps in order with the chosen version, the progress query, bad input refused before any
// activity, a missing production version failing at once, and a scheduled tick training then scoring.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TabularRegistration, TrialPlan } from '../../contracts/tabular.ts';
import {
  tabularScoringProgressQuery,
  type ScheduledTabularInput,
  type TabularScoringInput,
} from '../../contracts/tabularScoring.ts';
import { scheduledTabularTraining, tabularBatchScoring } from '../../workflows/index.ts';
import { until } from '../helpers/until.ts';
import { startTestTemporal, withWorker, type Activities } from './env.ts';

const INPUT: TabularScoringInput = { model: 'bigmart', source: { kind: 'csv', uri: 'gs://b/bigmart/Test.csv' } };

function scoringMocks(hold = false) {
  const calls: string[] = [];
  let release: (() => void) | undefined;
  const activities: Partial<Activities> = {
    tabularScoringVersion: ({ version }) => {
      calls.push(`version ${version ?? 'production'}`);
      return Promise.resolve(version ?? 4);
    },
    scoreTabularRows: async (input, version) => {
      calls.push(`score ${input.source.kind} with ${version}`);
      if (hold) await new Promise<void>((r) => (release = r));
      return { read: 10, scored: 8, rejected: 2, written: 8 };
    },
    exportTabularPredictions: (_input, version) => {
      calls.push(`export ${version}`);
      return Promise.resolve();
    },
    reconcileTabularScoring: (_input, version, counts) => {
      calls.push(`reconcile ${version}: ${counts.read} = ${counts.scored} + ${counts.rejected}`);
      return Promise.resolve(counts.scored);
    },
  };
  return { activities, calls, release: () => release?.() };
}

describe('tabular batch scoring workflow (mocked activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('scores with the production version, copies to the warehouse, reconciles, and answers progress', async () => {
    const mocks = scoringMocks(true);
    const report = await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(tabularBatchScoring, {
        taskQueue,
        workflowId: 'tabular-scoring-order',
        args: [INPUT],
      });
      await until('scoring started', () => mocks.calls.length === 2);
      await until('scoring stage', async () => (await handle.query(tabularScoringProgressQuery)).stage === 'scoring');
      assert.deepEqual(await handle.query(tabularScoringProgressQuery), {
        stage: 'scoring',
        version: 4,
        counts: { read: 0, scored: 0, rejected: 0, written: 0, warehouse: 0 },
      });
      mocks.release();
      const result = await handle.result();
      assert.deepEqual(await handle.query(tabularScoringProgressQuery), {
        stage: 'done',
        version: 4,
        counts: { read: 10, scored: 8, rejected: 2, written: 8, warehouse: 8 },
      });
      return result;
    });
    assert.deepEqual(mocks.calls, ['version production', 'score csv with 4', 'export 4', 'reconcile 4: 10 = 8 + 2']);
    assert.equal(report.version, 4);
    assert.equal(report.dataset, 'gs://b/bigmart/Test.csv');
    assert.equal(report.rejectedSource, 'tabular-scoring:bigmart:4:gs://b/bigmart/Test.csv');
    assert.deepEqual([report.read, report.scored, report.rejected, report.written, report.warehouse], [10, 8, 2, 8, 8]);
  });

  it('scores with the version given', async () => {
    const mocks = scoringMocks();
    const report = await withWorker(env, mocks.activities, (taskQueue) =>
      env.client.workflow.execute(tabularBatchScoring, {
        taskQueue,
        workflowId: 'tabular-scoring-version',
        args: [{ model: 'bigmart', source: { kind: 'postgres', table: 'bigmart_test' }, version: 2 }],
      }),
    );
    assert.deepEqual(mocks.calls.slice(0, 2), ['version 2', 'score postgres with 2']);
    assert.equal(report.dataset, 'postgres:bigmart_test');
  });

  it('refuses bad input before any activity runs, naming the field', async () => {
    const mocks = scoringMocks();
    for (const [args, field] of [
      [{ ...INPUT, model: 'walmart' }, 'model'],
      [{ ...INPUT, version: 0 }, 'version'],
      [{ ...INPUT, source: { kind: 'csv', uri: '' } }, 'source.uri'],
      [{ ...INPUT, source: { kind: 'csv', uri: "gs://b/it's.csv" } }, 'source.uri'],
      [{ ...INPUT, source: { kind: 'bigquery', table: '' } }, 'source.table'],
      [{ ...INPUT, source: { kind: 'excel', path: 'x' } }, 'source.kind'],
    ] as const) {
      const err = await withWorker(env, mocks.activities, (taskQueue) =>
        env.client.workflow
          .execute(tabularBatchScoring, {
            taskQueue,
            workflowId: `tabular-scoring-bad-${field}`,
            args: [args as unknown as TabularScoringInput],
          })
          .then(
            () => assert.fail(`${field} was accepted`),
            (e: unknown) => e,
          ),
      );
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(String(err.cause?.message), new RegExp(`^${field.replace('.', '\\.')}: `));
    }
    assert.deepEqual(mocks.calls, []);
  });

  it('fails at once, saying what to run, when the model has no production version', async () => {
    const mocks = scoringMocks();
    let tries = 0;
    mocks.activities.tabularScoringVersion = () => {
      tries++;
      return Promise.reject(
        ApplicationFailure.nonRetryable('bigmart has no production version: run tabularTraining', 'NoModelVersion'),
      );
    };
    const err = await withWorker(env, mocks.activities, (taskQueue) =>
      env.client.workflow
        .execute(tabularBatchScoring, { taskQueue, workflowId: 'tabular-scoring-none', args: [INPUT] })
        .then(
          () => assert.fail('scored without a version'),
          (e: unknown) => e,
        ),
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.match(
      String((err.cause?.cause as Error | undefined)?.message),
      /no production version: run tabularTraining/,
    );
    assert.equal(tries, 1);
    assert.deepEqual(mocks.calls, []);
  });

  it('a scheduled tick trains on the train source, then scores the score source, both named for the day', async () => {
    const mocks = scoringMocks();
    const trained: string[] = [];
    const registration: TabularRegistration = {
      version: 4,
      label: '20261202_063000',
      promoted: true,
      reason: 'no champion yet',
      metrics: { rmse: 1000 },
      champion: null,
    };
    const plan: TrialPlan[] = [{ trial: 0, learner: 'ridge', params: { alpha: 1 } }];
    Object.assign(mocks.activities, {
      recordTabularRun: () => Promise.resolve(),
      planTabularTrials: () => Promise.resolve(plan),
      getTabularRows: (_runId: string, o: { source: { kind: string; uri?: string } }) => {
        trained.push(o.source.uri!);
        return Promise.resolve({ read: 10 });
      },
      preprocessTabularRows: () => Promise.resolve({ kept: 10, steps: [] }),
      splitTabularRows: () => Promise.resolve({ train: 8, test: 2 }),
      runTabularTrial: (_runId: string, p: TrialPlan) =>
        Promise.resolve({ ...p, metrics: { rmse: { mean: 1000, std: 1 } }, seconds: 0.1 }),
      refitTabularModel: () => Promise.resolve(),
      registerTabularModel: () => Promise.resolve(registration),
    } satisfies Partial<Activities>);
    const input: ScheduledTabularInput = {
      timeZone: 'UTC',
      model: 'bigmart',
      train: { kind: 'csv', uri: 'gs://b/bigmart/Train.csv' },
      score: { kind: 'csv', uri: 'gs://b/bigmart/Test.csv' },
      search: { trials: 1, concurrency: 1 },
    };
    const result = await withWorker(env, mocks.activities, (taskQueue) =>
      env.client.workflow.execute(scheduledTabularTraining, {
        taskQueue,
        workflowId: 'scheduled-bigmart',
        args: [input],
      }),
    );
    assert.ok(!('alreadyRunning' in result));
    assert.match(result.day, /^\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(trained, ['gs://b/bigmart/Train.csv']);
    assert.equal(result.training.runId, `tabular-bigmart-${result.day}`);
    assert.equal(result.training.trials, 1);
    assert.equal(result.scoring.runId, `tabular-scoring-bigmart-${result.day}`);
    assert.equal(result.scoring.dataset, 'gs://b/bigmart/Test.csv');
    assert.deepEqual(mocks.calls, ['version production', 'score csv with 4', 'export 4', 'reconcile 4: 10 = 8 + 2']);
  });
});
