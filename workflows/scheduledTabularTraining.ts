// What a tabular model's schedule starts (bigmart: weekly, paused until someone turns it on): a
// training on the train source, then a batch scoring of the score source with whichever version is
// in production after it, both named for the tick's day so a repeated tick joins them.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild } from '@temporalio/workflow';
import { TABULAR_RUN_PREFIX, type TabularReport } from '../contracts/tabular.ts';
import {
  TABULAR_SCORING_PREFIX,
  type ScheduledTabularInput,
  type TabularScoringReport,
} from '../contracts/tabularScoring.ts';
import { scheduledDate } from './scheduledDate.ts';
import { tabularBatchScoring } from './tabularBatchScoring.ts';
import { tabularTraining } from './tabularTraining.ts';
import { tagRun } from './runTags.ts';

export async function scheduledTabularTraining(
  input: ScheduledTabularInput,
): Promise<
  { day: string; training: TabularReport; scoring: TabularScoringReport } | { day: string; alreadyRunning: true }
> {
  const day = scheduledDate(input.timeZone);
  tagRun({ pipeline: 'scheduled-tabular', model: input.model, asOf: day });
  try {
    const training = await executeChild(tabularTraining, {
      workflowId: `${TABULAR_RUN_PREFIX}${input.model}-${day}`,
      args: [{ model: input.model, source: input.train, ...(input.search ? { search: input.search } : {}) }],
    });
    const scoring = await executeChild(tabularBatchScoring, {
      workflowId: `${TABULAR_SCORING_PREFIX}${input.model}-${day}`,
      args: [{ model: input.model, source: input.score }],
    });
    return { day, training, scoring };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { day, alreadyRunning: true };
    throw err;
  }
}
