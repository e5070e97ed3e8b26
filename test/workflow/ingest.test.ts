import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { BackfillProgress, BackfillStatus, IngestStage } from '../../contracts/ingest.ts';
import { backfillIngest, dailyIngest } from '../../workflows/index.ts';
import { until } from '../helpers/until.ts';
import { startTestTemporal, untilCancelled, withWorker, type Activities } from './env.ts';

interface DayRecord {
  date: string;
  status: IngestStage;
  backfillId?: string;
  error?: string;
}
interface BackfillRecord {
  status: BackfillStatus;
  progress: BackfillProgress;
  error?: string;
}

/** Mocked daily ingest activities: each day waits in validation for `validate` to settle it. */
function ingestMocks(validate: (date: string) => Promise<{ staged: number; accepted: number; rejected: number }>) {
  const days: DayRecord[] = [];
  const backfills: BackfillRecord[] = [];
  const inFlight = new Set<string>();
  let maxInFlight = 0;
  const activities: Partial<Activities> = {
    recordIngestRun: ({ date, status, backfillId, error }) => {
      days.push({ date, status, backfillId, error });
      return Promise.resolve();
    },
    validateAndUpsertSales: async (date) => {
      inFlight.add(date);
      maxInFlight = Math.max(maxInFlight, inFlight.size);
      try {
        return await validate(date);
      } finally {
        inFlight.delete(date);
      }
    },
    exportSalesDay: () => Promise.resolve(1),
    loadSalesDay: () => Promise.resolve(),
    reconcileSalesDay: () => Promise.resolve({ postgres: 1, gcs: 1, bigquery: 1 }),
    // Copied: the workflow passes the same progress object again on its next record.
    recordBackfillRun: ({ status, progress, error }) => {
      backfills.push({ status, progress: structuredClone(progress), error });
      return Promise.resolve();
    },
  };
  return { activities, days, backfills, inFlight, maxInFlight: () => maxInFlight };
}

const ended = (days: DayRecord[]) =>
  days.filter((d) => d.status === 'done' || d.status === 'failed' || d.status === 'cancelled');

describe('ingest workflows (mocked activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('a backfill never has more days in flight than its concurrency', async () => {
    const waiting = new Map<string, () => void>();
    const mocks = ingestMocks(
      (date) => new Promise((resolve) => waiting.set(date, () => resolve({ staged: 2, accepted: 2, rejected: 0 }))),
    );
    const progress = await withWorker(env, mocks.activities, async (taskQueue) => {
      const run = env.client.workflow.execute(backfillIngest, {
        taskQueue,
        workflowId: 'ingest-backfill-window',
        args: [{ from: '2024-01-01', to: '2024-01-08', concurrency: 3 }],
      });
      // Release one waiting day at a time: the window refills to 3 and never beyond.
      for (let released = 0; released < 8; released++) {
        await until('a day waiting in validation', () => waiting.size >= Math.min(3, 8 - released));
        const [date, release] = waiting.entries().next().value!;
        waiting.delete(date);
        release();
      }
      return run;
    });
    assert.equal(mocks.maxInFlight(), 3);
    assert.equal(progress.done, 8);
    assert.equal(ended(mocks.days).filter((d) => d.status === 'done').length, 8);
    assert.deepEqual(
      mocks.backfills.map((b) => b.status),
      ['running', 'done'],
    );
  });

  it('a cancelled backfill cancels its days in flight, starts no more, records the rest cancelled and does not continue as new', async () => {
    const mocks = ingestMocks(() => untilCancelled());
    // Six days, two at a time, four per run: without the cancel it would continue as new.
    const input = { from: '2024-02-01', to: '2024-02-06', concurrency: 2, daysPerRun: 4 };
    const err = await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(backfillIngest, {
        taskQueue,
        workflowId: 'ingest-backfill-cancel',
        args: [input],
      });
      await until('two days in flight', () => mocks.inFlight.size === 2);
      await handle.cancel();
      const failure = await handle.result().catch((e: unknown) => e);
      await until('both days recorded cancelled', () => ended(mocks.days).length === 2);
      const history = await handle.fetchHistory();
      assert.ok(
        !history.events?.some((e) => e.workflowExecutionContinuedAsNewEventAttributes),
        'continued as new after the cancel',
      );
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      return failure;
    });
    assert.ok(err instanceof WorkflowFailedError);
    assert.deepEqual(
      ended(mocks.days)
        .map((d) => [d.date, d.status, d.error, d.backfillId])
        .sort(),
      [
        ['2024-02-01', 'cancelled', 'cancelled', 'ingest-backfill-cancel'],
        ['2024-02-02', 'cancelled', 'cancelled', 'ingest-backfill-cancel'],
      ],
    );
    assert.deepEqual(
      [...new Set(mocks.days.map((d) => d.date))].sort(),
      ['2024-02-01', '2024-02-02'],
      'a day started after the cancel',
    );
    const last = mocks.backfills.at(-1)!;
    assert.equal(last.status, 'cancelled');
    assert.equal(last.error, 'cancelled: 6 of 6 days did not run');
    assert.deepEqual(last.progress.cancelled, [
      '2024-02-01',
      '2024-02-02',
      '2024-02-03',
      '2024-02-04',
      '2024-02-05',
      '2024-02-06',
    ]);
    assert.equal(last.progress.completed, 6);
    assert.deepEqual(
      mocks.backfills.map((b) => b.status),
      ['running', 'cancelled'],
    );
  });

  it('records a failed day with its reason, and the backfill as failed', async () => {
    const mocks = ingestMocks((date) =>
      date === '2024-03-02'
        ? Promise.reject(
            ApplicationFailure.nonRetryable('staged events of 2024-03-02 are unreadable', 'ReconciliationMismatch'),
          )
        : Promise.resolve({ staged: 1, accepted: 1, rejected: 0 }),
    );
    const progress = await withWorker(env, mocks.activities, (taskQueue) =>
      env.client.workflow.execute(backfillIngest, {
        taskQueue,
        workflowId: 'ingest-backfill-failed',
        args: [{ from: '2024-03-01', to: '2024-03-03', concurrency: 2 }],
      }),
    );
    assert.deepEqual(progress.failed, [{ date: '2024-03-02', reason: 'staged events of 2024-03-02 are unreadable' }]);
    assert.deepEqual(
      ended(mocks.days).find((d) => d.date === '2024-03-02'),
      {
        date: '2024-03-02',
        status: 'failed',
        backfillId: 'ingest-backfill-failed',
        error: 'staged events of 2024-03-02 are unreadable',
      },
    );
    const last = mocks.backfills.at(-1)!;
    assert.deepEqual([last.status, last.error], ['failed', '1 of 3 days failed']);
  });

  it('records a cancelled daily ingest as cancelled', async () => {
    const mocks = ingestMocks(() => untilCancelled());
    await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(dailyIngest, {
        taskQueue,
        workflowId: 'daily-ingest-2024-04-01',
        args: [{ date: '2024-04-01' }],
      });
      await until('the day in validation', () => mocks.inFlight.size === 1);
      await handle.cancel();
      await assert.rejects(handle.result(), WorkflowFailedError);
    });
    assert.deepEqual(
      mocks.days.map((d) => [d.status, d.error]),
      [
        ['starting', undefined],
        ['cancelled', 'cancelled'],
      ],
    );
  });
});
