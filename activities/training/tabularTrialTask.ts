// Runs in a worker thread (piscina): one hyperparameter trial's k-fold cross-validation on a
// run's training rows, so a search's trials use every core and the activities' heartbeats keep going.
// The trials of a run share their folds: each thread keeps the last run's cross-validator, which
// prepares each feature set's folds once (preprocessing is most of a linear trial's time). The
// chosen trial's refit runs here too: a forest and boosted trees on every training row can take
// longer than a heartbeat timeout, which a fit on the activity's own thread would starve.
import { crossValidator, fitTabular, type MetricSummary } from '../../ml/tabular/evaluate.ts';
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

let kept: { key: string; validate: ReturnType<typeof crossValidator> } | undefined;

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
  if (kept?.key !== key) kept = { key, validate: crossValidator(spec, rows, { folds, seed }) };
  return kept.validate(learner, params);
}

export type TabularRefitTask = Omit<TabularTrialTask, 'runId' | 'folds'>;

/** The trial fitted on every training row, as the JSON the run stores (tabular/<runId>/model.json). */
export function refitTrial({ spec, rows, learner, params, seed }: TabularRefitTask): string {
  return JSON.stringify(fitTabular(spec, rows, learner, params, seed));
}
