// What the daily schedule starts: ingest the day before the scheduled time (in the schedule's time
// zone) under the date's own workflow id. If that date is being ingested already (a manual run),
// this run leaves it alone instead of starting a second one.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild } from '@temporalio/workflow';
import { dailyIngestWorkflowId, type IngestReport } from '../contracts/ingest.ts';
import { dailyIngest } from './dailyIngest.ts';
import { scheduledDate } from './scheduledDate.ts';
import { tagRun } from './runTags.ts';

export async function scheduledDailyIngest({
  timeZone,
}: {
  timeZone: string;
}): Promise<IngestReport | { date: string; alreadyRunning: true }> {
  const date = scheduledDate(timeZone);
  tagRun({ pipeline: 'scheduled-ingest', asOf: date });
  try {
    return await executeChild(dailyIngest, { workflowId: dailyIngestWorkflowId(date), args: [{ date }] });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { date, alreadyRunning: true };
    throw err;
  }
}
