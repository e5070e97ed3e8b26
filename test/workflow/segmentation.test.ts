import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { invalidInput } from '../../contracts/failures.ts';
import {
  segmentationProgressQuery,
  type SegmentationRegistration,
  type SegmentationSnapshot,
  type SegmentationStage,
  type SegmentCountFit,
} from '../../contracts/segmentation.ts';
import type { SegmentationRunState } from '../../platform/runs.ts';
import { customerSegmentation } from '../../workflows/index.ts';
import { until } from '../helpers/until.ts';
import { startTestTemporal, withWorker, type Activities } from './env.ts';

const snapshot = (customers: number): SegmentationSnapshot => ({
  transactions: 1000,
  cleaning: {
    read: 1000,
    blankCustomer: 200,
    cancelled: 20,
    nonPositiveQuantity: 5,
    nonPositivePrice: 3,
    duplicates: 10,
    quantityOutliers: 40,
    priceOutliers: 22,
    kept: 700,
  },
  snapshotDate: '2011-12-09 12:50:00',
  customers,
});

const fitOf = (k: number): SegmentCountFit => ({
  k,
  inertia: 100 / k,
  // k = 4 separates best
  silhouette: 0.5 - Math.abs(k - 4) / 20,
  silhouettePoints: 50,
  sizes: Array.from({ length: k }, () => 1),
  centroids: Array.from({ length: k }, (_, i) => [i, i, i, i]),
  restarts: [{ seed: 1, inertia: 100 / k, silhouette: 0.5 }],
  kept: 0,
});

const registration: SegmentationRegistration = {
  version: 3,
  promoted: true,
  reason: 'no production version yet',
  previous: null,
  changes: null,
};

/** Mocked activities: `customers` after cleaning; fits wait for `release` when given. */
function segmentationMocks(customers: number, hold = false) {
  const records: SegmentationRunState[] = [];
  const waiting = new Map<number, () => void>();
  const registered: { fits: number[]; k?: number }[] = [];
  const activities: Partial<Activities> = {
    recordSegmentationRun: (run) => {
      records.push(structuredClone(run));
      return Promise.resolve();
    },
    exportSegmentationSnapshot: () => Promise.resolve(1000),
    cleanSegmentationSnapshot: () => Promise.resolve(snapshot(customers)),
    fitSegmentCount: (_runId, k) =>
      hold ? new Promise((resolve) => waiting.set(k, () => resolve(fitOf(k)))) : Promise.resolve(fitOf(k)),
    registerSegmentation: (_runId, _snapshot, fits, o) => {
      registered.push({ fits: fits.map((f) => f.k), k: o.k });
      const best = o.k ?? fits.reduce((a, b) => (b.silhouette > a.silhouette ? b : a)).k;
      return Promise.resolve({ k: best, registration });
    },
    exportSegments: () => Promise.resolve(customers),
  };
  return { activities, records, waiting, registered };
}

describe('customer segmentation workflow (mocked activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('fits every k from 2 to 10 at once, then registers and exports, recording each stage', async () => {
    const mocks = segmentationMocks(500, true);
    const report = await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(customerSegmentation, {
        taskQueue,
        workflowId: 'segmentation-all-k',
        args: [{}],
      });
      await until('all nine ks fitting', () => mocks.waiting.size === 9);
      const progress = await handle.query(segmentationProgressQuery);
      assert.equal(progress.stage, 'fitting');
      assert.deepEqual(progress.counts, {
        transactions: 1000,
        cleaned: 700,
        customers: 500,
        kTotal: 9,
        kDone: 0,
        assigned: 0,
      });
      for (const release of mocks.waiting.values()) release();
      return handle.result();
    });
    assert.deepEqual(
      mocks.records.map((r) => r.stage),
      ['exporting', 'cleaning', 'fitting', 'registering', 'assigning', 'done'] satisfies SegmentationStage[],
    );
    assert.deepEqual(mocks.registered, [{ fits: [2, 3, 4, 5, 6, 7, 8, 9, 10], k: undefined }]);
    assert.equal(report.k, 4);
    assert.equal(report.chosenBy, 'silhouette');
    assert.deepEqual(
      report.byK.map((f) => f.k),
      [2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.equal(report.assigned, 500);
    const done = mocks.records.at(-1)!;
    assert.equal(done.k, 4);
    assert.equal(done.byK?.length, 9);
    assert.ok(
      done.byK.every((f) => !('centroids' in f)),
      'run rows keep no centroids',
    );
    assert.deepEqual(done.counts, {
      transactions: 1000,
      cleaned: 700,
      customers: 500,
      kTotal: 9,
      kDone: 9,
      assigned: 500,
    });
  });

  it('fits only the k a run fixes, and only ks below the number of customers', async () => {
    const fixed = segmentationMocks(500);
    const report = await withWorker(env, fixed.activities, (taskQueue) =>
      env.client.workflow.execute(customerSegmentation, {
        taskQueue,
        workflowId: 'segmentation-fixed-k',
        args: [{ k: 5 }],
      }),
    );
    assert.equal(report.k, 5);
    assert.equal(report.chosenBy, 'fixed');
    assert.deepEqual(fixed.registered, [{ fits: [5], k: 5 }]);

    const few = segmentationMocks(4);
    await withWorker(env, few.activities, (taskQueue) =>
      env.client.workflow.execute(customerSegmentation, { taskQueue, workflowId: 'segmentation-few', args: [{}] }),
    );
    assert.deepEqual(few.registered[0]!.fits, [2, 3]);
  });

  it('refuses bad options before any activity runs, naming the field', async () => {
    const mocks = segmentationMocks(500);
    for (const [args, field] of [
      [{ kMin: 6, kMax: 3 }, 'kMin'],
      [{ k: 11 }, 'k'],
      [{ asOf: '2011-02-30' }, 'asOf'],
      [{ from: '2011-03-01', asOf: '2011-02-01' }, 'from'],
      [{ restarts: 0 }, 'restarts'],
    ] as const) {
      const err = await withWorker(env, mocks.activities, (taskQueue) =>
        env.client.workflow
          .execute(customerSegmentation, { taskQueue, workflowId: `segmentation-bad-${field}`, args: [args] })
          .then(
            () => assert.fail(`${field} was accepted`),
            (e: unknown) => e,
          ),
      );
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(String(err.cause?.message), new RegExp(`^${field}: `));
    }
    assert.equal(mocks.records.length, 0);
  });

  it('records a failed run with the reason when a step fails for good', async () => {
    const mocks = segmentationMocks(500);
    mocks.activities.cleanSegmentationSnapshot = () =>
      Promise.reject(invalidInput('transactions', 'no transactions up to 2009-01-01'));
    const err = await withWorker(env, mocks.activities, (taskQueue) =>
      env.client.workflow
        .execute(customerSegmentation, { taskQueue, workflowId: 'segmentation-fails', args: [{ asOf: '2009-01-01' }] })
        .then(
          () => assert.fail('the run succeeded'),
          (e: unknown) => e,
        ),
    );
    assert.ok(err instanceof WorkflowFailedError);
    const last = mocks.records.at(-1)!;
    assert.equal(last.stage, 'failed');
    assert.match(last.error!, /transactions: no transactions up to 2009-01-01/);
  });
});
