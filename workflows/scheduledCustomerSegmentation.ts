// What the monthly schedule starts: segment customers on transactions up to the day before the
// scheduled time (in the schedule's time zone), under that date's own run id, with the defaults.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild } from '@temporalio/workflow';
import { SEGMENTATION_MODEL, SEGMENTATION_RUN_PREFIX, type SegmentationReport } from '../contracts/segmentation.ts';
import { customerSegmentation } from './customerSegmentation.ts';
import { scheduledDate } from './scheduledDate.ts';
import { tagRun } from './runTags.ts';

export async function scheduledCustomerSegmentation({
  timeZone,
}: {
  timeZone: string;
}): Promise<SegmentationReport | { asOf: string; alreadyRunning: true }> {
  const asOf = scheduledDate(timeZone);
  tagRun({ pipeline: 'scheduled-segmentation', model: SEGMENTATION_MODEL, asOf });
  try {
    return await executeChild(customerSegmentation, {
      workflowId: `${SEGMENTATION_RUN_PREFIX}${asOf}`,
      args: [{ asOf }],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { asOf, alreadyRunning: true };
    throw err;
  }
}
