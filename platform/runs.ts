// Run rows of every kind (ingest_runs, training_runs): the records workflows write that no other
// module owns (backfills, retrains), the listing the API pages through, and settling a run whose
// workflow closed without recording its end.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { BackfillProgress, BackfillStatus, IngestCounts, IngestStage } from '../contracts/ingest.ts';
import type { RunEndState, RunKind, RunStatusFilter, SettledRun } from '../contracts/runs.ts';
import type {
  SegmentationCounts,
  SegmentationOptions,
  SegmentationRegistration,
  SegmentationSnapshot,
  SegmentationStage,
  SegmentCountFit,
} from '../contracts/segmentation.ts';
import type { MetricSummary, TrainingCounts, TrainingOptions, TrainingStage } from '../contracts/training.ts';
import type { Pool } from './postgres.ts';
import { failureReason } from './temporal.ts';

/** A backfill's own row: its days point at it through backfill_id. A rerun of an ended backfill starts afresh. */
export async function recordBackfillRun(
  pool: Pool,
  run: { backfillId: string; status: BackfillStatus; progress: BackfillProgress; error?: string },
): Promise<void> {
  await pool.query(
    `INSERT INTO ingest_runs (run_id, kind, workflow_id, status, counts, error, ended_at)
     VALUES ($1, 'backfill', $1, $2, $3, $4, CASE WHEN $2 <> 'running' THEN now() END)
     ON CONFLICT (run_id) DO UPDATE SET status = EXCLUDED.status, counts = EXCLUDED.counts, error = EXCLUDED.error, ended_at = EXCLUDED.ended_at,
       started_at = CASE WHEN ingest_runs.ended_at IS NOT NULL AND EXCLUDED.ended_at IS NULL THEN now() ELSE ingest_runs.started_at END`,
    [run.backfillId, run.status, JSON.stringify(run.progress), run.error ?? null],
  );
}

export interface RetrainRunStart {
  runId: string;
  workflowId: string;
  workflowRunId: string;
  storeId: number;
  product: string;
  engine: string;
  windowDays: number;
}

/** A retrain's row while it runs; a retry of its activity leaves it as it is. */
export async function startRetrainRun(pool: Pool, run: RetrainRunStart): Promise<void> {
  await pool.query(
    `INSERT INTO training_runs (run_id, kind, status, engine, window_days, workflow_id, workflow_run_id, store_id, product)
     VALUES ($1, 'retrain', 'running', $2, $3, $4, $5, $6, $7) ON CONFLICT (run_id) DO NOTHING`,
    [run.runId, run.engine, run.windowDays, run.workflowId, run.workflowRunId, run.storeId, run.product],
  );
}

export async function endRetrainRun(
  pool: Pool,
  runId: string,
  end: { status: 'done' | 'failed'; asOf?: string; counts: Record<string, number>; metrics?: object; error?: string },
): Promise<void> {
  await pool.query(
    `UPDATE training_runs SET status = $2, as_of = $3, counts = $4, metrics = $5, error = $6, ended_at = COALESCE(ended_at, now()) WHERE run_id = $1`,
    [
      runId,
      end.status,
      end.asOf ?? null,
      JSON.stringify(end.counts),
      JSON.stringify(end.metrics ?? {}),
      end.error ?? null,
    ],
  );
}

/** Every run row as one list: ingest kinds as they are, training_runs as 'training' or 'retrain', segmentation and tabular runs (engine: the tabular model). */
const ALL_RUNS = `
  SELECT run_id AS id, kind, status, warning, error, started_at, ended_at, sale_date::text AS sale_date, NULL::text AS as_of,
    NULL::text AS engine, NULL::int AS window_days, NULL::int AS store_id, NULL::text AS product, counts, NULL::jsonb AS metrics,
    backfill_id, COALESCE(workflow_id, run_id) AS workflow_id, NULL::text AS workflow_run_id, 'ingest_runs' AS tbl
  FROM ingest_runs
  UNION ALL
  SELECT run_id, CASE kind WHEN 'retrain' THEN 'retrain' ELSE 'training' END, status, NULL, error, started_at, ended_at, NULL, as_of::text,
    engine, window_days, store_id, product, counts, metrics, NULL, COALESCE(workflow_id, run_id), workflow_run_id, 'training_runs'
  FROM training_runs
  UNION ALL
  SELECT run_id, 'segmentation', status, NULL, error, started_at, ended_at, NULL, as_of::text, 'kmeans', NULL, NULL, NULL, counts,
    registration, NULL, run_id, workflow_run_id, 'segmentation_runs'
  FROM segmentation_runs
  UNION ALL
  SELECT run_id, 'tabular', status, NULL, error, started_at, ended_at, NULL, NULL, model, NULL, NULL, NULL, counts,
    registration, NULL, run_id, workflow_run_id, 'tabular_runs'
  FROM tabular_runs`;

export interface RunRow {
  id: string;
  kind: RunKind;
  status: string;
  warning: string | null;
  error: string | null;
  started_at: Date;
  ended_at: Date | null;
  sale_date: string | null;
  as_of: string | null;
  engine: string | null;
  window_days: number | null;
  store_id: number | null;
  product: string | null;
  counts: Record<string, unknown>;
  metrics: Record<string, unknown> | null;
  backfill_id: string | null;
  workflow_id: string;
  workflow_run_id: string | null;
}

/** A row as stored: which table holds it, and its exact start. */
export interface StoredRun extends RunRow {
  tbl: 'ingest_runs' | 'training_runs' | 'segmentation_runs' | 'tabular_runs';
  /** started_at as Postgres prints it: exact to the microsecond, unlike a JS Date. */
  sort_key: string;
}

/** Where a page of runs ends: the next page starts after it. */
export interface RunCursor {
  startedAt: string;
  id: string;
}

export interface RunFilter {
  kind?: RunKind;
  status?: RunStatusFilter;
  /** The days of this backfill; without it, runs that belong to no backfill. */
  backfillId?: string;
  limit: number;
  after?: RunCursor;
}

/** Runs newest first, one page, and the cursor of the next page when there is one. */
export async function listRuns(pool: Pool, f: RunFilter): Promise<{ runs: RunRow[]; next?: RunCursor }> {
  const { rows } = await pool.query<StoredRun>(
    `SELECT *, started_at::text AS sort_key FROM (${ALL_RUNS}) r
     WHERE ($1::text IS NULL OR kind = $1)
       AND ($2::text IS NULL OR CASE $2 WHEN 'running' THEN ended_at IS NULL WHEN 'warning' THEN warning IS NOT NULL
                                    ELSE status = $2 AND ended_at IS NOT NULL END)
       AND backfill_id IS NOT DISTINCT FROM $3
       AND ($4::timestamptz IS NULL OR (started_at, id) < ($4::timestamptz, $5::text))
     ORDER BY started_at DESC, id DESC LIMIT $6`,
    [
      f.kind ?? null,
      f.status ?? null,
      f.backfillId ?? null,
      f.after?.startedAt ?? null,
      f.after?.id ?? null,
      f.limit + 1,
    ],
  );
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return {
    runs: page.map(publicRun),
    next: rows.length > f.limit && last ? { startedAt: last.sort_key, id: last.id } : undefined,
  };
}

/** One run of any kind, or undefined. */
export async function findRun(pool: Pool, id: string): Promise<StoredRun | undefined> {
  const { rows } = await pool.query<StoredRun>(
    `SELECT *, started_at::text AS sort_key FROM (${ALL_RUNS}) r WHERE id = $1`,
    [id],
  );
  return rows[0];
}

/** A run as the API shows it. */
export const publicRun = ({ tbl: _tbl, sort_key: _key, ...run }: StoredRun): RunRow => run;

/** Each backfill's days counted by state ('running' while a day has no end), plus how many carry a warning. */
export async function backfillDayCounts(
  pool: Pool,
  backfillIds: string[],
): Promise<Map<string, Record<string, number>>> {
  const { rows } = await pool.query<{ backfill_id: string; state: string; n: number }>(
    `SELECT backfill_id, CASE WHEN ended_at IS NULL THEN 'running' ELSE status END AS state, count(*)::int AS n
     FROM ingest_runs WHERE backfill_id = ANY($1) GROUP BY 1, 2
     UNION ALL
     SELECT backfill_id, 'warning', count(*)::int FROM ingest_runs WHERE backfill_id = ANY($1) AND warning IS NOT NULL GROUP BY 1`,
    [backfillIds],
  );
  const counts = new Map<string, Record<string, number>>(backfillIds.map((id) => [id, {}]));
  for (const r of rows) counts.get(r.backfill_id)![r.state] = r.n;
  return counts;
}

/** Runs with no recorded end, oldest first: each has (or had) a workflow that should record one. Imports run no workflow. */
export async function openRuns(pool: Pool, limit: number): Promise<StoredRun[]> {
  const { rows } = await pool.query<StoredRun>(
    `SELECT *, started_at::text AS sort_key FROM (${ALL_RUNS}) r WHERE ended_at IS NULL AND kind <> 'import' ORDER BY started_at LIMIT $1`,
    [limit],
  );
  return rows;
}

const CLOSED_AS: Partial<Record<string, RunEndState>> = {
  COMPLETED: 'done',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
};

/**
 * Records the real end of a run whose workflow closed without recording it (terminated, timed out,
 * or failed or cancelled before its last activity), or no longer exists. A run still going is left
 * alone. The update only touches the row as it was read, so a rerun that started meanwhile keeps its row.
 */
export async function settleRun(pool: Pool, client: Client, run: StoredRun): Promise<SettledRun | undefined> {
  let end: { status: RunEndState; error: string; endedAt: Date };
  try {
    // Its result is this run's own end: following its successors (a retry, a continue-as-new) could wait on a running one.
    const handle = client.workflow.getHandle(run.workflow_id, run.workflow_run_id ?? undefined, { followRuns: false });
    const workflow = await handle.describe();
    const status = CLOSED_AS[workflow.status.name];
    if (!status) return undefined;
    // Why it closed (the failure, the termination's reason), as the run's own error would have said.
    const cause =
      status === 'done'
        ? undefined
        : await handle.result().then(
            () => undefined,
            (err: unknown) => failureReason(err),
          );
    end = {
      status,
      endedAt: workflow.closeTime ?? new Date(),
      error: `its workflow closed as ${workflow.status.name}${cause ? ` (${cause})` : ''} without recording the end of the run (settled by the reconciler)`,
    };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    end = {
      status: 'failed',
      endedAt: new Date(),
      error: `its workflow ${run.workflow_id} no longer exists in Temporal (settled by the reconciler)`,
    };
  }
  const { rowCount } = await pool.query(
    `UPDATE ${run.tbl} SET status = $2, error = $3, ended_at = $4 WHERE run_id = $1 AND ended_at IS NULL AND started_at = $5::timestamptz`,
    [run.id, end.status, end.error, end.endedAt, run.sort_key],
  );
  return rowCount ? { runId: run.id, kind: run.kind, status: end.status, error: end.error } : undefined;
}

/** A run as it is now: one without a recorded end whose workflow has closed is settled first. */
export async function currentRun(pool: Pool, client: Client, id: string): Promise<StoredRun | undefined> {
  const run = await findRun(pool, id);
  if (!run || run.ended_at || run.kind === 'import') return run;
  return (await settleRun(pool, client, run)) ? findRun(pool, id) : run;
}

/** An ingest_runs row: a day, a backfill or an import. */
export interface IngestRunRecord {
  run_id: string;
  kind: string;
  sale_date: string | null;
  status: string;
  counts: unknown;
  durations_ms: unknown;
  error: string | null;
  started_at: Date;
  ended_at: Date | null;
  warning: string | null;
  backfill_id: string | null;
}

/** The latest ingest runs, newest first. */
export async function ingestRuns(pool: Pool, limit: number): Promise<IngestRunRecord[]> {
  const { rows } = await pool.query<IngestRunRecord>('SELECT * FROM ingest_runs ORDER BY started_at DESC LIMIT $1', [
    limit,
  ]);
  return rows;
}

export async function ingestRun(pool: Pool, id: string): Promise<IngestRunRecord | undefined> {
  const { rows } = await pool.query<IngestRunRecord>('SELECT * FROM ingest_runs WHERE run_id = $1', [id]);
  return rows[0];
}

/** A training_runs row: a weekly run or a retrain. */
export interface TrainingRunRecord {
  run_id: string;
  status: string;
  as_of: string;
  engine: string;
  window_days: number | null;
  counts: unknown;
  metrics: unknown;
  error: string | null;
  started_at: Date;
  ended_at: Date | null;
}

/** The latest weekly training runs, newest first (retrains are listed with every run, listRuns). */
export async function weeklyTrainingRuns(pool: Pool, limit: number): Promise<TrainingRunRecord[]> {
  const { rows } = await pool.query<TrainingRunRecord>(
    `SELECT * FROM training_runs WHERE kind = 'weekly' ORDER BY started_at DESC LIMIT $1`,
    [limit],
  );
  return rows;
}

export async function trainingRun(pool: Pool, id: string): Promise<TrainingRunRecord | undefined> {
  const { rows } = await pool.query<TrainingRunRecord>('SELECT * FROM training_runs WHERE run_id = $1', [id]);
  return rows[0];
}

/** A weekly run's row, keyed by run id; a rerun of an ended run starts it afresh. */
export async function recordTrainingRun(
  pool: Pool,
  run: {
    runId: string;
    status: TrainingStage;
    options: TrainingOptions;
    counts: TrainingCounts;
    metrics: MetricSummary;
    error?: string;
  },
): Promise<void> {
  const ended = run.status === 'done' || run.status === 'failed' || run.status === 'cancelled';
  await pool.query(
    `INSERT INTO training_runs (run_id, status, as_of, engine, window_days, counts, metrics, error, ended_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9 THEN now() END)
     ON CONFLICT (run_id) DO UPDATE SET status = EXCLUDED.status, counts = EXCLUDED.counts, metrics = EXCLUDED.metrics,
       error = EXCLUDED.error, ended_at = EXCLUDED.ended_at,
       started_at = CASE WHEN training_runs.ended_at IS NOT NULL AND EXCLUDED.ended_at IS NULL THEN now() ELSE training_runs.started_at END`,
    [
      run.runId,
      ended ? run.status : 'running',
      run.options.asOf,
      run.options.engine,
      run.options.windowDays === 'full' ? null : run.options.windowDays,
      JSON.stringify(run.counts),
      JSON.stringify(run.metrics),
      run.error ?? null,
      ended,
    ],
  );
}

export interface IngestRunState {
  runId: string;
  date: string;
  backfillId?: string;
  status: IngestStage;
  counts: IngestCounts;
  durationsMs: Record<string, number>;
  error?: string;
  warning?: string;
}

/** A daily ingest's row, keyed by its workflow id; its start time resets when it starts again. */
export async function recordIngestRun(pool: Pool, run: IngestRunState): Promise<void> {
  const ended = run.status === 'done' || run.status === 'failed' || run.status === 'cancelled';
  await pool.query(
    `INSERT INTO ingest_runs (run_id, kind, sale_date, workflow_id, status, counts, durations_ms, error, ended_at, backfill_id, warning)
     VALUES ($1, 'daily', $2, $1, $3, $4, $5, $6, CASE WHEN $7 THEN now() END, $8, $9)
     ON CONFLICT (run_id) DO UPDATE SET status = EXCLUDED.status, counts = EXCLUDED.counts, durations_ms = EXCLUDED.durations_ms,
       error = EXCLUDED.error, ended_at = EXCLUDED.ended_at, backfill_id = EXCLUDED.backfill_id, warning = EXCLUDED.warning,
       started_at = CASE WHEN EXCLUDED.status = 'starting' THEN now() ELSE ingest_runs.started_at END`,
    [
      run.runId,
      run.date,
      run.status,
      JSON.stringify(run.counts),
      JSON.stringify(run.durationsMs),
      run.error ?? null,
      ended,
      run.backfillId ?? null,
      run.warning ?? null,
    ],
  );
}

export interface SegmentationRunState {
  runId: string;
  workflowRunId: string;
  stage: SegmentationStage;
  options: SegmentationOptions;
  counts: SegmentationCounts;
  snapshot?: SegmentationSnapshot;
  /** Each k's fit without its centroids and restarts. */
  byK?: Omit<SegmentCountFit, 'centroids' | 'restarts'>[];
  k?: number;
  error?: string;
}

/**
 * A segmentation run's row, keyed by its workflow id. A new workflow run of the same id (a rerun)
 * starts it afresh; the registration is written by the registry in its own transaction and kept.
 */
export async function recordSegmentationRun(pool: Pool, run: SegmentationRunState): Promise<void> {
  const ended = run.stage === 'done' || run.stage === 'failed' || run.stage === 'cancelled';
  await pool.query(
    `INSERT INTO segmentation_runs (run_id, workflow_run_id, status, stage, as_of, options, counts, snapshot, by_k, k, error, ended_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $12 THEN now() END)
     ON CONFLICT (run_id) DO UPDATE SET status = EXCLUDED.status, stage = EXCLUDED.stage, options = EXCLUDED.options,
       counts = segmentation_runs.counts || EXCLUDED.counts, snapshot = COALESCE(EXCLUDED.snapshot, segmentation_runs.snapshot),
       by_k = COALESCE(EXCLUDED.by_k, segmentation_runs.by_k), k = COALESCE(EXCLUDED.k, segmentation_runs.k),
       error = EXCLUDED.error, ended_at = EXCLUDED.ended_at,
       workflow_run_id = EXCLUDED.workflow_run_id,
       started_at = CASE WHEN segmentation_runs.workflow_run_id IS DISTINCT FROM EXCLUDED.workflow_run_id THEN now() ELSE segmentation_runs.started_at END,
       model_version = CASE WHEN segmentation_runs.workflow_run_id IS DISTINCT FROM EXCLUDED.workflow_run_id THEN NULL ELSE segmentation_runs.model_version END,
       registration = CASE WHEN segmentation_runs.workflow_run_id IS DISTINCT FROM EXCLUDED.workflow_run_id THEN NULL ELSE segmentation_runs.registration END`,
    [
      run.runId,
      run.workflowRunId,
      ended ? run.stage : 'running',
      run.stage,
      run.options.asOf ?? null,
      JSON.stringify(run.options),
      JSON.stringify(run.counts),
      run.snapshot ? JSON.stringify(run.snapshot) : null,
      run.byK ? JSON.stringify(run.byK) : null,
      run.k ?? null,
      run.error ?? null,
      ended,
    ],
  );
}

/** A segmentation_runs row as stored. */
export interface SegmentationRunRecord {
  run_id: string;
  workflow_run_id: string | null;
  status: string;
  stage: SegmentationStage;
  as_of: string | null;
  options: SegmentationOptions;
  counts: Partial<SegmentationCounts>;
  snapshot: SegmentationSnapshot | null;
  by_k: Omit<SegmentCountFit, 'centroids' | 'restarts'>[] | null;
  k: number | null;
  model_version: number | null;
  registration: SegmentationRegistration | null;
  error: string | null;
  started_at: Date;
  ended_at: Date | null;
}

const SEGMENTATION_RUN_COLUMNS = `run_id, workflow_run_id, status, stage, as_of::text AS as_of, options, counts, snapshot, by_k, k,
  model_version, registration, error, started_at, ended_at`;

/** The latest segmentation runs, newest first. */
export async function segmentationRuns(pool: Pool, limit: number): Promise<SegmentationRunRecord[]> {
  const { rows } = await pool.query<SegmentationRunRecord>(
    `SELECT ${SEGMENTATION_RUN_COLUMNS} FROM segmentation_runs ORDER BY started_at DESC, run_id DESC LIMIT $1`,
    [limit],
  );
  return rows;
}

export async function segmentationRun(pool: Pool, id: string): Promise<SegmentationRunRecord | undefined> {
  const { rows } = await pool.query<SegmentationRunRecord>(
    `SELECT ${SEGMENTATION_RUN_COLUMNS} FROM segmentation_runs WHERE run_id = $1`,
    [id],
  );
  return rows[0];
}
