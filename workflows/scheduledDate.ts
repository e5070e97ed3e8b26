// Which day a schedule tick is for: the day before its scheduled time, in the schedule's time zone.
import { workflowInfo } from '@temporalio/workflow';
import { dayBeforeIn } from '../domain/dates.ts';

/** A tick caught up late must still be for the day it was meant for, so this takes the scheduled time, not now. */
export function scheduledDate(timeZone: string): string {
  const scheduled = workflowInfo().searchAttributes?.TemporalScheduledStartTime?.[0];
  return dayBeforeIn(timeZone, scheduled ? new Date(scheduled as string | Date) : new Date());
}
