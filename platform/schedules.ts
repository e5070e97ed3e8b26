// The Temporal Schedules of the recurring runs, created or updated idempotently at start-up: a
// second start finds the schedule and updates it in place, never creating another.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Config } from './config.ts';

export const DAILY_INGEST_SCHEDULE_ID = 'daily-ingest';
export const WEEKLY_TRAINING_SCHEDULE_ID = 'weekly-training';

export function scheduleDefinitions(cfg: Config): ScheduleOptions[] {
  return [{
    scheduleId: DAILY_INGEST_SCHEDULE_ID,
    spec: { calendars: [{ hour: 0, minute: 30 }], timezone: cfg.ingestTimeZone },
    action: {
      type: 'startWorkflow',
      workflowType: 'scheduledDailyIngest',
      taskQueue: cfg.temporal.taskQueues.ingest,
      args: [{ timeZone: cfg.ingestTimeZone }],
    },
    // A run still going at the next tick is left alone; a missed tick within a day is caught up.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    state: { note: 'Ingests the previous day\'s staged sales events (dailyIngest).' },
  }, {
    scheduleId: WEEKLY_TRAINING_SCHEDULE_ID,
    spec: { calendars: [{ dayOfWeek: 'SUNDAY', hour: 1, minute: 0 }], timezone: cfg.ingestTimeZone },
    action: {
      type: 'startWorkflow',
      workflowType: 'scheduledWeeklyTraining',
      taskQueue: cfg.temporal.taskQueues.training,
      args: [{ timeZone: cfg.ingestTimeZone }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    state: { note: 'Trains every series on history up to Saturday and writes the next 7 days of forecasts (weeklyTraining).' },
  }];
}

/** Creates each schedule, or updates it when it exists; returns their ids. */
export async function ensureSchedules(client: Client, cfg: Config): Promise<string[]> {
  const ids: string[] = [];
  for (const def of scheduleDefinitions(cfg)) {
    try {
      await client.schedule.create(def);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(def.scheduleId).update((prev) => ({ ...prev, spec: def.spec, action: def.action, policies: def.policies }));
    }
    ids.push(def.scheduleId);
  }
  return ids;
}
