import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DEFAULT_TRAINING,
  type ShardResult,
  type TrainingCounts,
  type TrainingStage,
} from '../../contracts/training.ts';
import { weeklyTraining } from '../../workflows/index.ts';
import { until } from '../helpers/until.ts';
import { startTestTemporal, untilCancelled, withWorker, type Activities } from './env.ts';

interface RunRecord {
  status: TrainingStage;
  counts: TrainingCounts;
  error?: string;
}

/** Mocked training activities: `shards` shards of 10 series, each trained by `train`. */
function trainingMocks(shards: number, train: (shard: number) => Promise<ShardResult>) {
  const runs: RunRecord[] = [];
  const inFlight = new Set<number>();
  let maxInFlight = 0;
  const activities: Partial<Activities> = {
    snapshotTrainingWindow: () => Promise.resolve({ series: shards * 10, shards }),
    trainShard: async (_runId, shard) => {
      inFlight.add(shard);
      maxInFlight = Math.max(maxInFlight, inFlight.size);
      try {
        return await train(shard);
      } finally {
        inFlight.delete(shard);
      }
    },
    recordTrainingRun: ({ status, counts, error }) => {
      runs.push({ status, counts: { ...counts }, error });
      return Promise.resolve({});
    },
  };
  return { activities, runs, inFlight, maxInFlight: () => maxInFlight };
}

const shardResult: ShardResult = { series: 10, fitted: 9, unfit: 1, promoted: 8, forecasts: 63 };
const options = (asOf: string, concurrency: number) => ({ ...DEFAULT_TRAINING, asOf, concurrency });

describe('weekly training workflow (mocked activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('never trains more shards at once than its concurrency', async () => {
    const waiting = new Map<number, () => void>();
    const mocks = trainingMocks(7, (shard) => new Promise((resolve) => waiting.set(shard, () => resolve(shardResult))));
    const report = await withWorker(env, mocks.activities, async (taskQueue) => {
      const run = env.client.workflow.execute(weeklyTraining, {
        taskQueue,
        workflowId: 'training-window',
        args: [options('2024-01-07', 2)],
      });
      for (let released = 0; released < 7; released++) {
        await until('a shard waiting to train', () => waiting.size >= Math.min(2, 7 - released));
        const [shard, release] = waiting.entries().next().value!;
        waiting.delete(shard);
        release();
      }
      return run;
    });
    assert.equal(mocks.maxInFlight(), 2);
    assert.deepEqual(report.counts, {
      series: 70,
      shards: 7,
      shardsDone: 7,
      done: 70,
      fitted: 63,
      unfit: 7,
      promoted: 56,
      forecasts: 441,
    });
    assert.deepEqual(
      mocks.runs.map((r) => r.status),
      ['snapshotting', 'training', 'done'],
    );
  });

  it('a cancelled run cancels its shards in flight and is recorded cancelled', async () => {
    const mocks = trainingMocks(5, (shard) => (shard < 1 ? Promise.resolve(shardResult) : untilCancelled()));
    await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(weeklyTraining, {
        taskQueue,
        workflowId: 'training-cancel',
        args: [options('2024-01-14', 2)],
      });
      await until('shards 1 and 2 in flight', () => mocks.inFlight.size === 2 && !mocks.inFlight.has(0));
      await handle.cancel();
      await assert.rejects(handle.result(), WorkflowFailedError);
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      await until('the shards in flight to see the cancel', () => mocks.inFlight.size === 0);
    });
    const last = mocks.runs.at(-1)!;
    assert.deepEqual([last.status, last.error], ['cancelled', 'cancelled']);
    assert.equal(last.counts.shardsDone, 1);
    assert.deepEqual(
      mocks.runs.map((r) => r.status),
      ['snapshotting', 'training', 'cancelled'],
    );
  });

  it('a failed shard records the run failed with its reason', async () => {
    const mocks = trainingMocks(3, (shard) =>
      shard === 1
        ? Promise.reject(ApplicationFailure.nonRetryable('shard 1 holds a line that is not a series', 'InvalidInput'))
        : Promise.resolve(shardResult),
    );
    await withWorker(env, mocks.activities, (taskQueue) =>
      assert.rejects(
        env.client.workflow.execute(weeklyTraining, {
          taskQueue,
          workflowId: 'training-failed',
          args: [options('2024-01-21', 1)],
        }),
        WorkflowFailedError,
      ),
    );
    const last = mocks.runs.at(-1)!;
    assert.deepEqual([last.status, last.error], ['failed', 'shard 1 holds a line that is not a series']);
    assert.equal(last.counts.shardsDone, 1);
  });

  it('with global, fits the global model once before any shard and hands its artifact to every shard', async () => {
    const ARTIFACT = 'gs://bucket/models/global-forecast/training-global/run.json';
    const events: string[] = [];
    const mocks = trainingMocks(3, (shard) =>
      Promise.resolve({ ...shardResult, chosen: { fast: shard, global: 1, blend: 8 - shard } }),
    );
    const trainShard = mocks.activities.trainShard!;
    const activities: Partial<Activities> = {
      ...mocks.activities,
      fitGlobalModel: (_runId, _o, shards) => {
        events.push(`fit ${shards}`);
        return Promise.resolve({ artifact: ARTIFACT, series: 30, rows: 2_700, fitSeconds: 1 });
      },
      trainShard: (runId, shard, o, global) => {
        events.push(`shard ${shard} ${global}`);
        return trainShard(runId, shard, o);
      },
    };
    const report = await withWorker(env, activities, (taskQueue) =>
      env.client.workflow.execute(weeklyTraining, {
        taskQueue,
        workflowId: 'training-global',
        args: [{ ...options('2024-01-28', 1), global: true }],
      }),
    );
    assert.deepEqual(events, ['fit 3', ...[0, 1, 2].map((s) => `shard ${s} ${ARTIFACT}`)]);
    assert.deepEqual(report.counts.chosen, { fast: 3, global: 3, blend: 21 });
    assert.equal(report.global?.artifact, ARTIFACT);
    assert.deepEqual(
      mocks.runs.map((r) => r.status),
      ['snapshotting', 'fitting_global', 'training', 'done'],
    );
    assert.deepEqual(mocks.runs.at(-1)!.counts.chosen, { fast: 3, global: 3, blend: 21 });
  });

  it('refuses the global step with an engine other than fast, naming the field, before any activity', async () => {
    const mocks = trainingMocks(1, () => Promise.resolve(shardResult));
    const err = await withWorker(env, mocks.activities, (taskQueue) =>
      env.client.workflow
        .execute(weeklyTraining, {
          taskQueue,
          workflowId: 'training-global-prophet',
          args: [{ ...options('2024-02-04', 1), engine: 'prophet', global: true }],
        })
        .then(
          () => assert.fail('started'),
          (e: unknown) => e,
        ),
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.match(String((err.cause as Error).message), /global: .*engine must be "fast", got "prophet"/);
    assert.deepEqual(mocks.runs, []);
  });
});
