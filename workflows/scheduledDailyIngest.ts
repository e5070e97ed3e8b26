// What the daily schedule starts: ingest the day before the scheduled time (in the schedule's time
// zone) under the date's own workflow id. If that date is being ingested already (a manual run),
// this run leaves it alone instead of starting a second one.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild, workflowInfo } from '@temporalio/workflow';
import { dailyIngestWorkflowId, type IngestReport } from '../contracts/ingest.ts';
import { addDays, todayIn } from '../domain/dates.ts';
import { dailyIngest } from './dailyIngest.ts';

export async function scheduledDailyIngest({ timeZone }: { timeZone: string }): Promise<IngestReport | { date: string; alreadyRunning: true }> {
  // A tick caught up late must still ingest the day it was meant for: take the scheduled time.
  const scheduled = workflowInfo().searchAttributes?.TemporalScheduledStartTime?.[0];
  const date = addDays(todayIn(timeZone, scheduled ? new Date(scheduled as string | Date) : new Date()), -1);
  try {
    return await executeChild(dailyIngest, { workflowId: dailyIngestWorkflowId(date), args: [{ date }] });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { date, alreadyRunning: true };
    throw err;
  }
}
