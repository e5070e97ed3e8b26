// trainShard in MockActivityEnvironment: its I/O (GCS, Postgres, the fit threads) replaced by small
// fakes, to see what it heartbeats and that a cancel reaches the fit it is waiting on. Its progress
// rides on the regular beat (every HEARTBEAT_EVERY_MS), so the test waits one beat for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Deps } from '../../activities/deps.ts';
import { trainingActivities } from '../../activities/training.ts';
import { HEARTBEAT_EVERY_MS } from '../../contracts/heartbeats.ts';
import { DEFAULT_TRAINING } from '../../contracts/training.ts';
import type { SeriesTrainingResult } from '../../ml/forecast/trainSeries.ts';
import { until } from '../helpers/until.ts';

// 128 series: two fit tasks of 64, as the activity cuts them.
const SHARD = Array.from({ length: 128 }, (_, i) => `{"store_id" : ${i + 1}, "product" : "p01", "days" : []}\n`).join(
  '',
);

const PLAN = JSON.stringify(Array.from({ length: 4 }, () => [1, 128, 128]));

describe('trainShard activity (MockActivityEnvironment)', () => {
  it('heartbeats the series done and stops when cancelled', async () => {
    let fits = 0;
    let cancelledFit = false;
    let saved = false;
    const deps = {
      // A retried shard: the run's plan and the snapshot its first attempt wrote are there.
      store: {
        exists: () => Promise.resolve(true),
        read: (name: string) => Promise.resolve(Buffer.from(name.endsWith('shards.json') ? PLAN : SHARD)),
      },
      // productionVersions reads none; saveTrainingResults would connect, and must not.
      pool: {
        query: () => Promise.resolve({ rows: [] }),
        connect: () => {
          saved = true;
          return Promise.reject(new Error('saved after a cancel'));
        },
      },
      fitPool: {
        // The first task fits at once, the second waits until the activity is cancelled.
        run: ({ lines }: { lines: string[] }, signal?: AbortSignal): Promise<SeriesTrainingResult[]> => {
          if (fits++ === 0) return Promise.resolve(lines.map(() => ({ ok: false, reason: 'too short' })));
          return new Promise((_, reject) =>
            signal!.addEventListener('abort', () => {
              cancelledFit = true;
              reject(signal!.reason as Error);
            }),
          );
        },
      },
    } as unknown as Deps;
    const env = new MockActivityEnvironment({ attempt: 2 });
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));

    const run = env.run(trainingActivities(deps).trainShard, 'training-2024-01-07', 3, {
      ...DEFAULT_TRAINING,
      asOf: '2024-01-07',
    });
    await until('a beat reported the first task done', () => beats.some((b) => (b as { done: number }).done === 64), {
      seconds: (2 * HEARTBEAT_EVERY_MS) / 1000,
    });
    assert.deepEqual(beats[0], { done: 0 }, 'the first beat, at the start');
    assert.deepEqual(beats.at(-1), { done: 64 }, 'nothing counted of the task still fitting');
    env.cancel();
    await assert.rejects(run, CancelledFailure);
    assert.ok(cancelledFit, 'the cancel did not reach the fit in flight');
    assert.ok(!saved, 'a cancelled shard saved results');
  });
});
