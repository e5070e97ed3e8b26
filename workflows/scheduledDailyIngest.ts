// What the daily schedule starts: ingest yesterday (in the schedule's time zone) under the date's
// own workflow id, so a schedule run and a manual run of the same date are one run.
import { executeChild } from '@temporalio/workflow';
import { dailyIngestWorkflowId, type IngestReport } from '../contracts/ingest.ts';
import { addDays, todayIn } from '../domain/dates.ts';
import { dailyIngest } from './dailyIngest.ts';

export async function scheduledDailyIngest({ timeZone }: { timeZone: string }): Promise<IngestReport> {
  const date = addDays(todayIn(timeZone), -1);
  return executeChild(dailyIngest, { workflowId: dailyIngestWorkflowId(date), args: [{ date }] });
}
