// Tabular training runs and their trials in Postgres. A run row is rewritten at each stage; a
// trial is keyed (run_id, trial), so a retried trial activity writes it once.
import type { Pool } from 'pg';
import type { TabularStage, TabularTrainingOptions, TrialResult } from '../contracts/tabular.ts';

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
