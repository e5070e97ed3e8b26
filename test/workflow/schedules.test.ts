import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ScheduleOverlapPolicy, type CalendarSpec } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dailyIngest, scheduledDailyIngest, scheduledWeeklyTraining } from '../../workflows/index.ts';
import { until } from '../helpers/until.ts';
import { startTestTemporal, withWorker, type Activities } from './env.ts';

// Scheduled times where the zone's date differs from UTC's: 00:30 and Sunday 01:00 in Auckland
// (UTC+13 in March) are still the day before in UTC.
const TIME_ZONE = 'Pacific/Auckland';

describe('scheduled workflows take their date from the scheduled time (a real Schedule, backfilled)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  /** A paused Schedule like platform/schedules.ts makes, run once for a time months ago: a late tick. */
  async function tickLate(
    scheduleId: string,
    workflowType: typeof scheduledDailyIngest | typeof scheduledWeeklyTraining,
    calendar: CalendarSpec,
    taskQueue: string,
    scheduledAt: Date,
  ): Promise<void> {
    const handle = await env.client.schedule.create({
      scheduleId,
      spec: { calendars: [calendar], timezone: TIME_ZONE },
      action: { type: 'startWorkflow', workflowType, taskQueue, args: [{ timeZone: TIME_ZONE }] },
      state: { paused: true },
    });
    await handle.backfill({
      start: new Date(scheduledAt.getTime() - 60_000),
      end: new Date(scheduledAt.getTime() + 60_000),
      overlap: ScheduleOverlapPolicy.ALLOW_ALL,
    });
  }

  it("a daily tick caught up late ingests the day before the scheduled time in the schedule's zone", async () => {
    const dates: string[] = [];
    const activities: Partial<Activities> = {
      recordIngestRun: ({ date, status }) => {
        if (status === 'done') dates.push(date);
        return Promise.resolve();
      },
      validateAndUpsertSales: () => Promise.resolve({ staged: 1, accepted: 1, rejected: 0 }),
      exportSalesDay: () => Promise.resolve(1),
      loadSalesDay: () => Promise.resolve(),
      reconcileSalesDay: () => Promise.resolve({ postgres: 1, gcs: 1, bigquery: 1 }),
    };
    await withWorker(env, activities, async (taskQueue) => {
      // 2026-03-11 00:30 in Auckland; 2026-03-10 in UTC.
      await tickLate(
        'daily-ingest-late',
        scheduledDailyIngest,
        { hour: 0, minute: 30 },
        taskQueue,
        new Date('2026-03-10T11:30:00Z'),
      );
      await until('the scheduled day ingested', () => dates.length > 0);
      const child = await env.client.workflow.getHandle<typeof dailyIngest>('daily-ingest-2026-03-10').result();
      assert.equal(child.date, '2026-03-10');
    });
    assert.deepEqual(dates, ['2026-03-10']);
  });

  it("a weekly tick caught up late trains as of the day before the scheduled time in the schedule's zone", async () => {
    const asOf: string[] = [];
    const activities: Partial<Activities> = {
      snapshotTrainingWindow: (_runId, o) => {
        asOf.push(o.asOf);
        return Promise.resolve({ series: 0, shards: 0 });
      },
      fitGlobalModel: () => Promise.resolve(null),
      recordTrainingRun: () => Promise.resolve({}),
    };
    await withWorker(env, activities, async (taskQueue) => {
      // Sunday 2026-03-08 01:00 in Auckland; Saturday 2026-03-07 in UTC.
      await tickLate(
        'weekly-training-late',
        scheduledWeeklyTraining,
        { dayOfWeek: 'SUNDAY', hour: 1, minute: 0 },
        taskQueue,
        new Date('2026-03-07T12:00:00Z'),
      );
      await until('the scheduled training run', () => asOf.length > 0);
    });
    assert.deepEqual(asOf, ['2026-03-07']);
  });
});
