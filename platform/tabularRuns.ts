// Tabular training runs and their trials in Postgres. A run row is rewritten at each stage; a
// trial is keyed (run_id, trial), so a retried trial activity writes it once.
import type { Pool } from 'pg';
import type { TabularRegistration, TabularStage, TabularTrainingOptions, TrialResult } from '../contracts/tabular.ts';

export interface TabularRunState {
  runId: string;
  workflowRunId: string;
  stage: TabularStage;
  options: TabularTrainingOptions;
  counts: Record<string, number>;
  best?: Pick<TrialResult, 'trial' | 'learner' | 'metrics'>;
  error?: string;
}

export async function recordTabularRun(pool: Pool, run: TabularRunState): Promise<void> {
  const ended = run.stage === 'done' || run.stage === 'failed' || run.stage === 'cancelled';
  await pool.query(
    `INSERT INTO tabular_runs (run_id, workflow_run_id, model, status, stage, options, counts, best, error, ended_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10 THEN now() END)
     ON CONFLICT (run_id) DO UPDATE SET workflow_run_id = EXCLUDED.workflow_run_id, status = EXCLUDED.status,
       stage = EXCLUDED.stage, options = EXCLUDED.options, counts = tabular_runs.counts || EXCLUDED.counts,
       best = COALESCE(EXCLUDED.best, tabular_runs.best), error = EXCLUDED.error, ended_at = EXCLUDED.ended_at`,
    [
      run.runId,
      run.workflowRunId,
      run.options.model,
      ended ? run.stage : 'running',
      run.stage,
      JSON.stringify(run.options),
      JSON.stringify(run.counts),
      run.best ? JSON.stringify(run.best) : null,
      run.error ?? null,
      ended,
    ],
  );
}

/** Writes a trial's result; the same trial again (a retry) replaces it, so each trial is recorded once. */
export async function recordTabularTrial(pool: Pool, runId: string, t: TrialResult): Promise<void> {
  await pool.query(
    `INSERT INTO tabular_trials (run_id, trial, learner, params, metrics, seconds) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (run_id, trial) DO UPDATE SET learner = EXCLUDED.learner, params = EXCLUDED.params,
       metrics = EXCLUDED.metrics, seconds = EXCLUDED.seconds`,
    [runId, t.trial, t.learner, JSON.stringify(t.params), JSON.stringify(t.metrics), t.seconds],
  );
}

/** A recorded trial, or undefined: a retried run finds what it already scored. */
export async function recordedTabularTrial(pool: Pool, runId: string, trial: number): Promise<TrialResult | undefined> {
  const {
    rows: [row],
  } = await pool.query<TrialResult>(
    'SELECT trial, learner, params, metrics, seconds FROM tabular_trials WHERE run_id = $1 AND trial = $2',
    [runId, trial],
  );
  return row;
}

/** Every trial of a run, in trial order. */
export async function tabularTrials(pool: Pool, runId: string): Promise<TrialResult[]> {
  const { rows } = await pool.query<TrialResult>(
    'SELECT trial, learner, params, metrics, seconds FROM tabular_trials WHERE run_id = $1 ORDER BY trial',
    [runId],
  );
  return rows;
}

/** A tabular_runs row as the API shows it, with the stage of the version it registered. */
export interface TabularRunRecord {
  run_id: string;
  workflow_run_id: string | null;
  model: string;
  status: string;
  stage: TabularStage;
  options: TabularTrainingOptions;
  counts: Record<string, number>;
  best: Pick<TrialResult, 'trial' | 'learner' | 'metrics'> | null;
  model_version: number | null;
  /** production, staging or archived: where the run's version is now. */
  version_stage: string | null;
  registration: TabularRegistration | null;
  error: string | null;
  started_at: Date;
  ended_at: Date | null;
}

const RUN_COLUMNS = `r.run_id, r.workflow_run_id, r.model, r.status, r.stage, r.options, r.counts, r.best, r.model_version,
  v.stage AS version_stage, r.registration, r.error, r.started_at, r.ended_at
  FROM tabular_runs r LEFT JOIN model_versions v ON v.model = r.model AND v.version = r.model_version`;

/** The latest runs (of one model, or all), newest first. */
export async function tabularRunList(
  pool: Pool,
  { model, limit }: { model?: string; limit: number },
): Promise<TabularRunRecord[]> {
  const { rows } = await pool.query<TabularRunRecord>(
    `SELECT ${RUN_COLUMNS} WHERE $1::text IS NULL OR r.model = $1 ORDER BY r.started_at DESC, r.run_id DESC LIMIT $2`,
    [model ?? null, limit],
  );
  return rows;
}

export async function tabularRun(pool: Pool, runId: string): Promise<TabularRunRecord | undefined> {
  const { rows } = await pool.query<TabularRunRecord>(`SELECT ${RUN_COLUMNS} WHERE r.run_id = $1`, [runId]);
  return rows[0];
}

/** What a run's trials can be ordered by: a column, or a metric's cross-validation mean. */
export type TrialOrder = { by: 'trial' | 'learner' | 'seconds' } | { by: 'metric'; metric: string };

/** A run's trials in that order (ties by trial number), ascending or descending. */
export async function orderedTabularTrials(
  pool: Pool,
  runId: string,
  order: TrialOrder,
  descending: boolean,
): Promise<TrialResult[]> {
  // The column is one of a fixed set and the direction a keyword; the metric's name is a parameter.
  const key = order.by === 'metric' ? `(metrics -> $2 ->> 'mean')::float8` : order.by;
  const { rows } = await pool.query<TrialResult>(
    `SELECT trial, learner, params, metrics, seconds FROM tabular_trials WHERE run_id = $1
     ORDER BY ${key} ${descending ? 'DESC' : 'ASC'} NULLS LAST, trial`,
    order.by === 'metric' ? [runId, order.metric] : [runId],
  );
  return rows;
}
