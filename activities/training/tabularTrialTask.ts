// Runs in a worker thread (piscina): one hyperparameter trial's k-fold cross-validation on a
// run's training rows, so a search's trials use every core and the activities' heartbeats keep going.
// Every trial of a run with the same feature set shares its folds: each thread prepares them once
// per feature set (preprocessing is most of a linear trial's time) and keeps the last run's.
import {
  crossValidatePrepared,
  prepareFolds,
  trialSpec,
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

let kept: { run: string; bySpec: Map<string, PreparedFold[]> } | undefined;

export function crossValidateTrial({
  runId,
  spec,
  rows,
  learner,
  params,
  folds,
  seed,
}: TabularTrialTask): MetricSummary {
  const chosen = trialSpec(spec, params);
  const run = JSON.stringify([runId, folds, seed]);
  if (kept?.run !== run) kept = { run, bySpec: new Map() };
  const key = JSON.stringify(chosen.spec);
  let prepared = kept.bySpec.get(key);
  if (!prepared) kept.bySpec.set(key, (prepared = prepareFolds(chosen.spec, rows, { folds, seed })));
  return crossValidatePrepared(chosen.spec, prepared, learner, chosen.hyper, seed);
}
