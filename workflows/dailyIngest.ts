// dailyIngest(date): the day's staged sales events -> validated, rejects kept with reasons ->
// upserted into Postgres -> exported to GCS -> loaded into the BigQuery partition -> reconciled.
import {
  CancellationScope,
  isCancellation,
  proxyActivities,
  rootCause,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { DailyIngestActivities } from '../activities/dailyIngest.ts';
import {
  ingestWarning,
  progressQuery,
  type DailyIngestInput,
  type IngestProgress,
  type IngestReport,
  type IngestStage,
} from '../contracts/ingest.ts';
import { HEARTBEAT_TIMEOUT } from '../contracts/heartbeats.ts';
import { INGEST_RETRY, invalidInput } from '../contracts/failures.ts';
import { dateProblem, todayUtc } from '../domain/dates.ts';
import { tagRun, tagStage } from './runTags.ts';

const acts = proxyActivities<DailyIngestActivities>({
  startToCloseTimeout: '10 minutes',
  // A worker killed mid-activity is noticed within this, and the activity retried elsewhere.
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: INGEST_RETRY,
});

export async function dailyIngest({ date, backfillId }: DailyIngestInput): Promise<IngestReport> {
  tagRun({ pipeline: 'ingest', asOf: date, stage: 'starting' });
  // Workflow time, so a replay judges the date as the run did.
  const problem = dateProblem(date, 'past', todayUtc());
  if (problem) throw invalidInput('date', problem);
  const runId = workflowInfo().workflowId;
  const progress: IngestProgress = { stage: 'starting', counts: {} };
  const durationsMs: Record<string, number> = {};
  let warning: string | undefined;
  setHandler(progressQuery, () => progress);
  const record = (status: IngestStage, error?: string) =>
    acts.recordIngestRun({ runId, date, backfillId, status, counts: progress.counts, durationsMs, error, warning });
  const step = async <T>(stage: IngestStage, run: () => Promise<T>): Promise<T> => {
    progress.stage = stage;
    tagStage(stage);
    const started = Date.now();
    const result = await run();
    durationsMs[stage] = Date.now() - started;
    return result;
  };

  await record('starting');
  try {
    const validated = await step('validating', () => acts.validateAndUpsertSales(date));
    Object.assign(progress.counts, validated);
    // A day that lands nothing is suspicious (a producer down, a wrong date), not a plain success.
    warning = ingestWarning(validated);
    await step('exporting', () => acts.exportSalesDay(date));
    await step('loading', () => acts.loadSalesDay(date));
    const rows = await step('reconciling', () => acts.reconcileSalesDay(date, validated));
    Object.assign(progress.counts, rows);
    progress.stage = 'done';
    tagStage('done');
    await record('done');
    return { runId, date, counts: { ...validated, ...rows }, durationsMs, ...(warning ? { warning } : {}) };
  } catch (err) {
    const status = isCancellation(err) ? 'cancelled' : 'failed';
    progress.stage = status;
    tagStage(status);
    // The innermost cause says what went wrong ("Activity task failed" does not); recorded even
    // when the run was cancelled.
    await CancellationScope.nonCancellable(() =>
      record(status, status === 'cancelled' ? 'cancelled' : (rootCause(err) ?? String(err))),
    );
    throw err;
  }
}
