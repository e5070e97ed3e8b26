// Tabular models (seed 002 BigMart first, then seeds 001 and 003): the tabularTraining workflow's
// options, its trials, progress and report. Shared by the workflow, its activities, the API and the page.
import { defineQuery } from '@temporalio/workflow';

export const TABULAR_RUN_PREFIX = 'tabular-';

/** Where a run's rows come from. */
export type TabularSource =
  { kind: 'csv'; uri: string } | { kind: 'postgres'; table: string } | { kind: 'bigquery'; table: string };

export type SplitOptions =
  | { kind: 'random'; testShare: number; seed: number }
  | { kind: 'stratified'; testShare: number; seed: number }
  | { kind: 'time'; testShare: number; column: string }
  /**
   * Rows whose `column` is from `trainFrom` (optional) to before `testFrom` train, those from
   * `testFrom` to before `testTo` test, and the rest are not used (air quality's monthly window).
   * Times compare as text, so they must be written alike ('YYYY-MM-DD HH:MM:SS').
   */
  | { kind: 'period'; column: string; trainFrom?: string; testFrom: string; testTo: string };

export interface SearchOptions {
  kind: 'grid' | 'random';
  /** Trials to run (a grid larger than this is cut at this many, in order). */
  trials: number;
  /** Trials in flight at once. */
  concurrency: number;
  /** k-fold cross-validation on the training part. */
  folds: number;
  seed: number;
  /** Learners to search (names in ml/tabular); default all of the task's. */
  learners?: string[];
}

export interface TabularTrainingOptions {
  /** The registry model, e.g. 'bigmart'; its preset names the dataset spec. */
  model: string;
  source: TabularSource;
  split: SplitOptions;
  search: SearchOptions;
  /** The challenger replaces the champion when better on the same test rows by more than this fraction. */
  promotionMargin: number;
}

export type TabularStage =
  | 'loading'
  | 'preprocessing'
  | 'splitting'
  | 'searching'
  | 'refitting'
  | 'registering'
  | 'done'
  | 'failed'
  | 'cancelled';

/** One trial: a learner with hyperparameters, scored by cross-validation. */
export interface TrialResult {
  trial: number;
  learner: string;
  params: Record<string, unknown>;
  /** Mean and standard deviation over the folds of each metric (rmse, mae, r2, ...). */
  metrics: Record<string, { mean: number; std: number }>;
  seconds: number;
}

export interface TabularProgress {
  stage: TabularStage;
  trialsTotal: number;
  trialsDone: number;
  best: Pick<TrialResult, 'trial' | 'learner' | 'metrics'> | null;
}

export const tabularProgressQuery = defineQuery<TabularProgress>('tabularProgress');

/** A trial to run: its number in the search, the learner and its hyperparameters. */
export type TrialPlan = Pick<TrialResult, 'trial' | 'learner' | 'params'>;

/** The decision of a run's registration: the challenger against the champion on the run's test rows. */
export interface TabularRegistration {
  version: number;
  /** The seeds' timestamp label of the version, e.g. 20261201_213000 (UTC). */
  label: string;
  promoted: boolean;
  reason: string;
  /** The challenger's test metrics. */
  metrics: Record<string, number>;
  /** The champion at registration, scored on the same test rows; null when there was none. */
  champion: { version: number; metrics: Record<string, number> } | null;
}

/** The preprocess step: rows kept, and what each of the spec's filters dropped, in order. */
export interface TabularPreprocessing {
  kept: number;
  steps: { kind: string; dropped: number }[];
}

export interface TabularReport {
  runId: string;
  /** Rows the source gave. */
  read: number;
  /** Rows kept by the spec's filters (what was split). */
  rows: number;
  filtered: TabularPreprocessing['steps'];
  train: number;
  test: number;
  trials: number;
  best: TrialResult;
  registration: TabularRegistration;
  seconds: number;
}

export { TABULAR_MODELS, type TabularModelName } from '../domain/tabularModels.ts';

/** What a search minimizes: RMSE for regression, log loss for classification (cross-validation mean). */
export function trialObjective(t: Pick<TrialResult, 'metrics'>): number {
  const m = t.metrics.rmse ?? t.metrics.logLoss;
  if (!m) throw new Error(`a trial has neither rmse nor logLoss: ${Object.keys(t.metrics).join(', ')}`);
  return m.mean;
}

export const DEFAULT_TABULAR_TRAINING: Pick<TabularTrainingOptions, 'search' | 'promotionMargin'> & {
  split: Extract<SplitOptions, { kind: 'random' }>;
} = {
  split: { kind: 'random', testShare: 0.2, seed: 0 },
  search: { kind: 'random', trials: 50, concurrency: 4, folds: 5, seed: 0 },
  promotionMargin: 0.01,
};

/** What a run needs: the model and source; the split, search and margin default. */
export type TabularTrainingInput = Pick<TabularTrainingOptions, 'model' | 'source'> &
  Partial<Pick<TabularTrainingOptions, 'split' | 'promotionMargin'>> & { search?: Partial<SearchOptions> };
