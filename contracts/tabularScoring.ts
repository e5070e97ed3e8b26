// Batch scoring of a tabular model (BigMart's Test.csv first): the tabularBatchScoring workflow's
// input, progress and report, shared by the workflow, its activities, the API and the CLI.
import { defineQuery } from '@temporalio/workflow';
import type { SearchOptions, TabularSource } from './tabular.ts';

export const TABULAR_SCORING_PREFIX = 'tabular-scoring-';

export interface TabularScoringInput {
  /** The registry model, e.g. 'bigmart'. */
  model: string;
  /** The rows to score: a CSV in GCS (Test.csv), a Postgres or a BigQuery table. */
  source: TabularSource;
  /** The version to score with; the production one when absent. */
  version?: number;
}

export type TabularScoringStage = 'resolving' | 'scoring' | 'warehousing' | 'reconciling' | 'done';

export interface TabularScoringCounts {
  read: number;
  scored: number;
  rejected: number;
  /** Predictions Postgres did not hold yet (new rows, or rows whose prediction changed): 0 on a rerun. */
  written: number;
  /** Rows of the dataset and version in BigQuery's tabular_predictions. */
  warehouse: number;
}

export interface TabularScoringProgress {
  stage: TabularScoringStage;
  version: number | null;
  counts: TabularScoringCounts;
}

export const tabularScoringProgressQuery = defineQuery<TabularScoringProgress>('tabularScoringProgress');

export interface TabularScoringReport extends TabularScoringCounts {
  runId: string;
  model: string;
  version: number;
  /** What was scored, as tabular_predictions names it (see scoringDataset). */
  dataset: string;
  /** Where the rejected rows are, with their reasons. */
  rejectedSource: string;
  seconds: number;
}

/** A source's name in tabular_predictions: the CSV's gs:// URI, or postgres:<table>, bigquery:<table>. */
export const scoringDataset = (source: TabularSource): string =>
  source.kind === 'csv' ? source.uri : `${source.kind}:${source.table}`;

/** Where a scoring's rejected rows are kept (rejected_rows.source), per model, version and dataset. */
export const scoringRejectionsSource = (model: string, version: number, dataset: string): string =>
  `tabular-scoring:${model}:${version}:${dataset}`;

/** A scoring's workflow id: the prefix, a time and a random tail (ids from the API and the CLI). */
export const tabularScoringWorkflowId = (id: string): string => `${TABULAR_SCORING_PREFIX}${id}`;

/** Where `npm run data -- train-bigmart` uploads BigMart's files, and what the bigmart schedule trains on and scores. */
export const BIGMART_UPLOADS = { train: 'bigmart/Train.csv', test: 'bigmart/Test.csv' } as const;

/** What a tabular model's schedule starts: a training on `train`, then a batch scoring of `score`. */
export interface ScheduledTabularInput {
  /** The schedule's time zone: the day of the tick names the runs. */
  timeZone: string;
  model: string;
  train: TabularSource;
  score: TabularSource;
  /** The search, over the defaults. */
  search?: Partial<SearchOptions>;
}
