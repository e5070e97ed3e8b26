// Runs in a worker thread (piscina): one hyperparameter trial's k-fold cross-validation on a
// run's training rows, so a search's trials use every core and the activities' heartbeats keep going.
// Every trial of a run shares its folds: each thread prepares them once (preprocessing is most
// of a linear trial's time) and keeps the last run's.
import {
  crossValidatePrepared,
  prepareFolds,
  type MetricSummary,
  type PreparedFold,
} from '../../ml/tabular/evaluate.ts';
import type { Trial } from '../../ml/tabular/searchSpace.ts';
import type { DatasetSpec } from '../../ml/tabular/spec.ts';
import type { RawRow } from '../../ml/tabular/values.ts';

export interface TabularTrialTask {
  /** The rows' identity (the run): trials with the same one share their prepared folds. */
  runId: string;
  spec: DatasetSpec;
  rows: RawRow[];
  learner: string;
  params: Trial;
  folds: number;
  seed: number;
}

let kept: { key: string; folds: PreparedFold[] } | undefined;

export function crossValidateTrial({
  runId,
  spec,
  rows,
  learner,
  params,
  folds,
  seed,
}: TabularTrialTask): MetricSummary {
  const key = JSON.stringify([runId, spec, folds, seed]);
  if (kept?.key !== key) kept = { key, folds: prepareFolds(spec, rows, { folds, seed }) };
  return crossValidatePrepared(spec, kept.folds, learner, params, seed);
}
