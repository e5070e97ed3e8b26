import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { invalidInput } from '../../contracts/failures.ts';
import {
  tabularProgressQuery,
  type TabularRegistration,
  type TabularStage,
  type TabularTrainingInput,
  type TrialPlan,
  type TrialResult,
} from '../../contracts/tabular.ts';
import type { TabularRunState } from '../../platform/tabularRuns.ts';
import { tabularTraining } from '../../workflows/index.ts';
import { until } from '../helpers/until.ts';
import { startTestTemporal, untilCancelled, withWorker, type Activities } from './env.ts';

const INPUT: TabularTrainingInput = {
  model: 'bigmart',
  source: { kind: 'csv', uri: 'uploads/bigmart/Train.csv' },
  search: { kind: 'random', trials: 6, concurrency: 2, folds: 3, seed: 7 },
};

const plans: TrialPlan[] = Array.from({ length: 6 }, (_, trial) => ({
  trial,
  learner: trial % 2 ? 'lasso' : 'forest',
  params: { alpha: trial },
}));
// trial 3 is best (lowest RMSE), trial 5 ties it: the lower number wins
const rmseOf = (trial: number) => (trial === 3 || trial === 5 ? 1000 : 1200 - trial);
const resultOf = (p: TrialPlan): TrialResult => ({
  ...p,
  metrics: { rmse: { mean: rmseOf(p.trial), std: 10 } },
  seconds: 0.5,
});

const registration: TabularRegistration = {
  version: 1,
  label: '20261202_063000',
  promoted: true,
  reason: 'no champion yet',
  metrics: { rmse: 1010, mae: 700, r2: 0.6 },
  champion: null,
};

/** Mocked activities; trials wait for their release when `hold`. */
function tabularMocks(hold = false) {
  const records: TabularRunState[] = [];
  const calls: string[] = [];
  const waiting = new Map<number, () => void>();
  let inFlight = 0;
  let maxInFlight = 0;
  const refitted: number[] = [];
  const activities: Partial<Activities> = {
    recordTabularRun: (run) => {
      records.push(structuredClone(run));
      return Promise.resolve();
    },
    planTabularTrials: () => {
      calls.push('plan');
      return Promise.resolve(plans);
    },
    getTabularRows: () => {
      calls.push('get');
      return Promise.resolve({ read: 8523 });
    },
    preprocessTabularRows: () => {
      calls.push('preprocess');
      return Promise.resolve({ kept: 8000, steps: [{ kind: 'dropDuplicates', dropped: 523 }] });
    },
    splitTabularRows: () => {
      calls.push('split');
      return Promise.resolve({ train: 6400, test: 1600 });
    },
    runTabularTrial: async (_runId, plan) => {
      calls.push(`trial ${plan.trial}`);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      if (hold) await new Promise<void>((resolve) => waiting.set(plan.trial, resolve));
      inFlight--;
      return resultOf(plan);
    },
    refitTabularModel: (_runId, best) => {
      calls.push('refit');
      refitted.push(best.trial);
      return Promise.resolve();
    },
    registerTabularModel: (_runId, best, trials) => {
      calls.push(`register ${best.trial} of ${trials}`);
      return Promise.resolve(registration);
    },
  };
  return { activities, records, calls, waiting, refitted, maxInFlight: () => maxInFlight };
}

describe('tabular training workflow (mocked activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('gets the rows, preprocesses, splits, runs the trials at most `concurrency` at once, refits the best and registers it', async () => {
    const mocks = tabularMocks(true);
    const report = await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(tabularTraining, {
        taskQueue,
        workflowId: 'tabular-order',
        args: [INPUT],
      });
      await until('two trials in flight', () => mocks.waiting.size === 2);
      let progress = await handle.query(tabularProgressQuery);
      assert.deepEqual(progress, { stage: 'searching', trialsTotal: 6, trialsDone: 0, best: null });
      // Release trials one by one as they start: never more than two wait at once.
      for (let trial = 0; trial < 6; trial++) {
        await until(`trial ${trial} started`, () => mocks.waiting.has(trial));
        assert.ok(mocks.waiting.size <= 2, `${mocks.waiting.size} trials in flight`);
        mocks.waiting.get(trial)!();
        mocks.waiting.delete(trial);
        if (trial === 3) {
          await until('trial 3 counted', async () => (await handle.query(tabularProgressQuery)).trialsDone === 4);
          progress = await handle.query(tabularProgressQuery);
          assert.equal(progress.best?.trial, 3);
          assert.equal(progress.best?.metrics.rmse?.mean, 1000);
        }
      }
      return handle.result();
    });
    assert.equal(mocks.maxInFlight(), 2);
    assert.deepEqual(mocks.calls.slice(0, 4), ['plan', 'get', 'preprocess', 'split']);
    assert.deepEqual(mocks.calls.slice(4, 10).sort(), plans.map((p) => `trial ${p.trial}`).sort());
    assert.deepEqual(mocks.calls.slice(10), ['refit', 'register 3 of 6']);
    assert.deepEqual(mocks.refitted, [3], 'the tie with trial 5 goes to the lower number');
    assert.deepEqual(
      mocks.records.map((r) => r.stage),
      [
        'loading',
        'preprocessing',
        'splitting',
        'searching',
        'refitting',
        'registering',
        'done',
      ] satisfies TabularStage[],
    );
    assert.deepEqual(mocks.records.at(-1)!.counts, {
      read: 8523,
      rows: 8000,
      train: 6400,
      test: 1600,
      trialsTotal: 6,
      trialsDone: 6,
    });
    assert.equal(mocks.records.at(-1)!.best?.trial, 3);
    assert.equal(report.best.trial, 3);
    assert.equal(report.trials, 6);
    assert.deepEqual(report.registration, registration);
  });

  it('refuses bad options before any activity runs, naming the field', async () => {
    const mocks = tabularMocks();
    const search = INPUT.search!;
    for (const [args, field] of [
      [{ ...INPUT, model: 'walmart' }, 'model'],
      [{ ...INPUT, source: { kind: 'csv', uri: '' } }, 'source.uri'],
      [{ ...INPUT, split: { kind: 'random', testShare: 1.5, seed: 0 } }, 'split.testShare'],
      [{ ...INPUT, search: { ...search, trials: 0 } }, 'search.trials'],
      [{ ...INPUT, search: { ...search, concurrency: 0.5 } }, 'search.concurrency'],
      [{ ...INPUT, search: { ...search, folds: 1 } }, 'search.folds'],
      [{ ...INPUT, promotionMargin: -0.1 }, 'promotionMargin'],
    ] as const) {
      const err = await withWorker(env, mocks.activities, (taskQueue) =>
        env.client.workflow
          .execute(tabularTraining, {
            taskQueue,
            workflowId: `tabular-bad-${field}`,
            args: [args as TabularTrainingInput],
          })
          .then(
            () => assert.fail(`${field} was accepted`),
            (e: unknown) => e,
          ),
      );
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(String(err.cause?.message), new RegExp(`^${field.replace('.', '\\.')}: `));
    }
    assert.equal(mocks.records.length, 0);
    assert.deepEqual(mocks.calls, []);
  });

  it('records a failed run with the reason when a trial fails for good', async () => {
    const mocks = tabularMocks();
    mocks.activities.runTabularTrial = () =>
      Promise.reject(invalidInput('rows', 'row 12: Item_MRP is "abc", not a number'));
    const err = await withWorker(env, mocks.activities, (taskQueue) =>
      env.client.workflow
        .execute(tabularTraining, {
          taskQueue,
          workflowId: 'tabular-fails',
          args: [INPUT],
        })
        .then(
          () => assert.fail('the run succeeded'),
          (e: unknown) => e,
        ),
    );
    assert.ok(err instanceof WorkflowFailedError);
    const last = mocks.records.at(-1)!;
    assert.equal(last.stage, 'failed');
    assert.match(last.error!, /rows: row 12: Item_MRP is "abc", not a number/);
  });

  it('records a cancelled run when cancelled mid-search, starting no more trials', async () => {
    const mocks = tabularMocks();
    let inFlight = 0;
    mocks.activities.runTabularTrial = (_runId, plan) => {
      mocks.calls.push(`trial ${plan.trial}`);
      inFlight++;
      return untilCancelled();
    };
    const err = await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(tabularTraining, {
        taskQueue,
        workflowId: 'tabular-cancelled',
        args: [INPUT],
      });
      await until('two trials in flight', () => inFlight === 2);
      await handle.cancel();
      return handle.result().then(
        () => assert.fail('the run completed'),
        (e: unknown) => e,
      );
    });
    assert.ok(err instanceof WorkflowFailedError);
    assert.equal(mocks.records.at(-1)!.stage, 'cancelled');
    assert.deepEqual(
      mocks.calls.filter((c) => c.startsWith('trial')),
      ['trial 0', 'trial 1'],
    );
    assert.ok(!mocks.calls.includes('refit'));
  });
});
