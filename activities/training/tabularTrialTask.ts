// Runs in a worker thread (piscina): one hyperparameter trial's k-fold cross-validation on a
// run's training rows, so a search's trials use every core and the activities' heartbeats keep going.
import type { MetricSummary } from '../../ml/tabular/evaluate.ts';
import { crossValidate } from '../../ml/tabular/evaluate.ts';
import type { Trial } from '../../ml/tabular/searchSpace.ts';
import type { DatasetSpec } from '../../ml/tabular/spec.ts';
import type { RawRow } from '../../ml/tabular/values.ts';

export interface TabularTrialTask {
  spec: DatasetSpec;
  rows: RawRow[];
  learner: string;
  params: Trial;
  folds: number;
  seed: number;
}

export function crossValidateTrial({ spec, rows, learner, params, folds, seed }: TabularTrialTask): MetricSummary {
  return crossValidate(spec, rows, learner, params, { folds, seed });
}
