// dailyIngest(date): the day's staged sales events -> validated, rejects kept with reasons ->
// upserted into Postgres -> exported to GCS -> loaded into the BigQuery partition -> reconciled.
import { CancellationScope, proxyActivities, rootCause, setHandler, workflowInfo } from '@temporalio/workflow';
import type { DailyIngestActivities } from '../activities/dailyIngest.ts';
import { progressQuery, type DailyIngestInput, type IngestProgress, type IngestReport, type IngestStage } from '../contracts/ingest.ts';
import { INVALID_INPUT, invalidInput } from '../contracts/failures.ts';
import { dateProblem, todayUtc } from '../domain/dates.ts';

const acts = proxyActivities<DailyIngestActivities>({
  startToCloseTimeout: '10 minutes',
  // A worker killed mid-activity is noticed within this, and the activity retried elsewhere.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['ReconciliationMismatch', INVALID_INPUT] },
});

export async function dailyIngest({ date }: DailyIngestInput): Promise<IngestReport> {
  // Workflow time, so a replay judges the date as the run did.
  const problem = dateProblem(date, 'past', todayUtc());
  if (problem) throw invalidInput('date', problem);
  const runId = workflowInfo().workflowId;
  const progress: IngestProgress = { stage: 'starting', counts: {} };
  const durationsMs: Record<string, number> = {};
  setHandler(progressQuery, () => progress);
  const record = (status: IngestStage, error?: string) =>
    acts.recordIngestRun({ runId, date, status, counts: progress.counts, durationsMs, error });
  const step = async <T>(stage: IngestStage, run: () => Promise<T>): Promise<T> => {
    progress.stage = stage;
    const started = Date.now();
    const result = await run();
    durationsMs[stage] = Date.now() - started;
    return result;
  };

  await record('starting');
  try {
    const validated = await step('validating', () => acts.validateAndUpsertSales(date));
    Object.assign(progress.counts, validated);
    await step('exporting', () => acts.exportSalesDay(date));
    await step('loading', () => acts.loadSalesDay(date));
    const rows = await step('reconciling', () => acts.reconcileSalesDay(date, validated));
    Object.assign(progress.counts, rows);
    progress.stage = 'done';
    await record('done');
    return { runId, date, counts: { ...validated, ...rows }, durationsMs };
  } catch (err) {
    progress.stage = 'failed';
    // The innermost cause says what went wrong ("Activity task failed" does not); recorded even
    // when the run was cancelled.
    await CancellationScope.nonCancellable(() => record('failed', rootCause(err) ?? String(err)));
    throw err;
  }
}
