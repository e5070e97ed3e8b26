// backfillIngest(from, to): one dailyIngest child per date, a bounded number at a time. Children
// keep their business ids (daily-ingest-<date>), so a backfill over loaded dates reruns them in
// place. Continues as new every few hundred dates to keep its own history small. The backfill is
// a run row of its own, and its days point at it. Cancelled, it cancels the days in flight, starts
// no more, records the rest as cancelled and ends: it does not continue as new.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  CancellationScope,
  CancelledFailure,
  continueAsNew,
  executeChild,
  isCancellation,
  proxyActivities,
  rootCause,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RunActivities } from '../activities/runs.ts';
import { invalidInput } from '../contracts/failures.ts';
import {
  backfillProgressQuery,
  dailyIngestWorkflowId,
  MAX_BACKFILL_CONCURRENCY,
  MAX_BACKFILL_DAYS,
  type BackfillInput,
  type BackfillProgress,
  type BackfillStatus,
} from '../contracts/ingest.ts';
import { dateProblem, datesBetween, daysBetween, todayUtc } from '../domain/dates.ts';
import { dailyIngest } from './dailyIngest.ts';
import { slidingWindow } from './slidingWindow.ts';
import { tagRun, tagStage } from './runTags.ts';

const DAYS_PER_RUN = 300;
/** A failed date's reason, cut so the progress carried across continue-as-new stays small. */
const REASON_CHARS = 300;

const acts = proxyActivities<RunActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** The API checks the same; a start from elsewhere (CLI, another workflow) must not reach a query either. */
function checkRange({ from, to, concurrency }: BackfillInput): void {
  for (const [field, date] of [
    ['from', from],
    ['to', to],
  ] as const) {
    const problem = dateProblem(date, 'past', todayUtc());
    if (problem) throw invalidInput(field, problem);
  }
  if (to < from) throw invalidInput('to', `${to} is before from (${from})`);
  if (daysBetween(from, to) >= MAX_BACKFILL_DAYS)
    throw invalidInput('to', `the range covers more than ${MAX_BACKFILL_DAYS} days`);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_BACKFILL_CONCURRENCY)
    throw invalidInput(
      'concurrency',
      `must be a whole number from 1 to ${MAX_BACKFILL_CONCURRENCY}, got ${concurrency}`,
    );
}

/** `progress` is carried across continue-as-new; `daysPerRun` (default 300) is how many days one run takes before it continues as new. */
export async function backfillIngest(
  input: BackfillInput & { progress?: BackfillProgress; daysPerRun?: number },
): Promise<BackfillProgress> {
  tagRun({ pipeline: 'backfill', asOf: input.progress?.from ?? input.from });
  checkRange(input);
  const backfillId = workflowInfo().workflowId;
  const all = datesBetween(input.from, input.to);
  const dates = all.slice(0, input.daysPerRun ?? DAYS_PER_RUN);
  const progress: BackfillProgress = input.progress ?? {
    from: input.from,
    to: input.to,
    total: all.length,
    completed: 0,
    done: 0,
    failed: [],
    cancelled: [],
    alreadyRunning: [],
  };
  setHandler(backfillProgressQuery, () => progress);
  const record = (status: BackfillStatus, error?: string) => {
    tagStage(status);
    return CancellationScope.nonCancellable(() => acts.recordBackfillRun({ backfillId, status, progress, error }));
  };
  const cancelled = () => CancellationScope.current().consideredCancelled;

  if (!input.progress) await record('running');
  await ingestDays(dates, input.concurrency, backfillId, progress, cancelled);
  // Days settle in any order; listed by date.
  progress.cancelled.sort();
  progress.failed.sort((a, b) => a.date.localeCompare(b.date));
  if (cancelled()) {
    progress.cancelled.push(...all.slice(dates.length));
    progress.completed += all.length - dates.length;
    await record('cancelled', `cancelled: ${progress.cancelled.length} of ${progress.total} days did not run`);
    throw new CancelledFailure('backfill cancelled');
  }
  if (all.length > dates.length) {
    await record('running');
    await continueAsNew<typeof backfillIngest>({ ...input, from: all[dates.length]!, progress });
  }
  const failed = progress.failed.length;
  await record(failed ? 'failed' : 'done', failed ? `${failed} of ${progress.total} days failed` : undefined);
  return progress;
}

/** A cancel reaches the children in flight (they record themselves cancelled); the window then
 *  starts none of the rest, which count as cancelled. */
async function ingestDays(
  dates: string[],
  concurrency: number,
  backfillId: string,
  progress: BackfillProgress,
  cancelled: () => boolean,
): Promise<void> {
  const runOne = async (date: string) => {
    try {
      await executeChild(dailyIngest, { workflowId: dailyIngestWorkflowId(date), args: [{ date, backfillId }] });
      progress.done++;
    } catch (err) {
      // A date already being ingested (the schedule, a manual run) is that run's to finish.
      if (err instanceof WorkflowExecutionAlreadyStartedError) progress.alreadyRunning.push(date);
      else if (isCancellation(err)) progress.cancelled.push(date);
      else progress.failed.push({ date, reason: (rootCause(err) ?? String(err)).slice(0, REASON_CHARS) });
    }
    progress.completed++;
  };
  const started = await slidingWindow(dates, concurrency, runOne, cancelled);
  progress.cancelled.push(...dates.slice(started));
  progress.completed += dates.length - started;
}
