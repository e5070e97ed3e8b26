// What the weekly schedule starts: train on history up to the day before the scheduled time (in
// the schedule's time zone), under that date's own run id, with the default options and the global
// step (one global model, each series choosing fast, global or their blend).
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild } from '@temporalio/workflow';
import { DEFAULT_TRAINING, SALES_FORECAST_MODELS, trainingRunId, type TrainingReport } from '../contracts/training.ts';
import { scheduledDate } from './scheduledDate.ts';
import { weeklyTraining } from './weeklyTraining.ts';
import { tagRun } from './runTags.ts';

export async function scheduledWeeklyTraining({
  timeZone,
}: {
  timeZone: string;
}): Promise<TrainingReport | { asOf: string; alreadyRunning: true }> {
  const asOf = scheduledDate(timeZone);
  tagRun({ pipeline: 'scheduled-training', model: SALES_FORECAST_MODELS, asOf });
  try {
    return await executeChild(weeklyTraining, {
      workflowId: trainingRunId({ ...DEFAULT_TRAINING, asOf }),
      args: [{ ...DEFAULT_TRAINING, asOf, global: true }],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { asOf, alreadyRunning: true };
    throw err;
  }
}
