// Runs of every kind as the API lists them and the reconciler settles them.

/** What a run is: a day's ingest, a backfill of days, a bulk import, a weekly training, a one-series retrain, a customer segmentation, a tabular model's training. */
export const RUN_KINDS = ['daily', 'backfill', 'import', 'training', 'retrain', 'segmentation', 'tabular'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** How a run ended; `running` until it has. */
export const RUN_END_STATES = ['done', 'failed', 'cancelled', 'terminated', 'timed_out'] as const;
export type RunEndState = (typeof RUN_END_STATES)[number];

/** What a listing can filter on: an end state, `running` (no end yet), or `warning` (ended with a warning). */
export const RUN_STATUS_FILTERS = ['running', 'warning', ...RUN_END_STATES] as const;
export type RunStatusFilter = (typeof RUN_STATUS_FILTERS)[number];

/** A run the reconciler found closed in Temporal without a recorded end, and what it recorded. */
export interface SettledRun {
  runId: string;
  kind: RunKind;
  status: RunEndState;
  error: string;
}

export interface ReconcileReport {
  /** Runs without an end that were looked up in Temporal. */
  checked: number;
  settled: SettledRun[];
}
