// backfillIngest(from, to): one dailyIngest child per date, a bounded number at a time. Children
// keep their business ids (daily-ingest-<date>), so a backfill over loaded dates reruns them in
// place. Continues as new every few hundred dates to keep its own history small.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { continueAsNew, executeChild, setHandler } from '@temporalio/workflow';
import { invalidInput } from '../contracts/failures.ts';
import { backfillProgressQuery, dailyIngestWorkflowId, MAX_BACKFILL_DAYS, type BackfillInput, type BackfillProgress } from '../contracts/ingest.ts';
import { dateProblem, datesBetween, daysBetween, todayUtc } from '../domain/dates.ts';
import { dailyIngest } from './dailyIngest.ts';

const DATES_PER_RUN = 300;

/** The API checks the same; a start from elsewhere (CLI, another workflow) must not reach a query either. */
function checkRange({ from, to }: BackfillInput): void {
  for (const [field, date] of [['from', from], ['to', to]] as const) {
    const problem = dateProblem(date, 'past', todayUtc());
    if (problem) throw invalidInput(field, problem);
  }
  if (to < from) throw invalidInput('to', `${to} is before from (${from})`);
  if (daysBetween(from, to) >= MAX_BACKFILL_DAYS) throw invalidInput('to', `the range covers more than ${MAX_BACKFILL_DAYS} days`);
}

export async function backfillIngest(input: BackfillInput & { done?: number; failed?: string[]; alreadyRunning?: string[]; total?: number }): Promise<BackfillProgress> {
  checkRange(input);
  const all = datesBetween(input.from, input.to);
  const dates = all.slice(0, DATES_PER_RUN);
  const progress: BackfillProgress = {
    total: input.total ?? all.length, completed: input.done ?? 0, failed: input.failed ?? [], alreadyRunning: input.alreadyRunning ?? [],
  };
  setHandler(backfillProgressQuery, () => progress);

  const runOne = async (date: string) => {
    try {
      await executeChild(dailyIngest, { workflowId: dailyIngestWorkflowId(date), args: [{ date }] });
    } catch (err) {
      // A date already being ingested (the schedule, a manual run) is that run's to finish.
      if (err instanceof WorkflowExecutionAlreadyStartedError) progress.alreadyRunning.push(date);
      else progress.failed.push(date);
    }
    progress.completed++;
  };
  // Sliding window: start a new child as soon as one finishes.
  const running = new Set<Promise<void>>();
  for (const date of dates) {
    if (running.size >= input.concurrency) await Promise.race(running);
    const p: Promise<void> = runOne(date).finally(() => running.delete(p));
    running.add(p);
  }
  await Promise.all(running);

  if (all.length > dates.length) {
    const rest = all[dates.length]!;
    await continueAsNew<typeof backfillIngest>({ ...input, from: rest, done: progress.completed, failed: progress.failed, alreadyRunning: progress.alreadyRunning, total: progress.total });
  }
  return progress;
}
