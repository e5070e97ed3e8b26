// Air quality (seed 001): the import of AirQualityUCI.csv as a workflow (importAirQuality) and the
// daily training on an expanding monthly window (airQualityTraining): inputs, results and ids.
// Shared by the workflows, their activities, the CLI, the schedule and the API.
import type { SearchOptions, TabularReport } from './tabular.ts';

export const AIR_QUALITY_MODEL = 'air-quality';
/** The Postgres view the model trains on (migration 012): the file's columns, Hour, Weekday, the lag. */
export const AIR_QUALITY_ROWS = 'air_quality_rows';
/** Its column of the readings' local time, 'YYYY-MM-DD HH:MM:SS': what the window splits on. */
export const AIR_QUALITY_TIME = 'DateTime';
/** Its column of CO(GT) at the same hour the day before: the naive baseline's prediction. */
export const AIR_QUALITY_LAG = 'CO(GT) same hour yesterday';

export interface ImportAirQualityInput {
  /** gs://<bucket>/<object> of an AirQualityUCI.csv. */
  uri: string;
  /** What air_quality and rejected_rows name the file by (default `import:<uri>`). */
  source?: string;
}

export interface ImportAirQualityResult {
  importId: string;
  source: string;
  /** Lines after the header that are not blank. */
  read: number;
  /** Readings of air_quality that come from this file now. */
  loaded: number;
  /** Of the loaded, rows added or changed (a rerun writes 0). */
  written: number;
  rejected: number;
  /** Lines with no reading (the file's trailing `;;;;` lines). */
  blank: number;
  /** Hourly readings with -200 (missing) in a column, by column. */
  missing: Record<string, number>;
  first: string | null;
  last: string | null;
  /** Where the rejected lines are, with their line numbers and reasons. */
  rejectedRows?: string;
}

export const AIR_QUALITY_IMPORT_PREFIX = 'import-air-quality-';
export const airQualityImportWorkflowId = (id: string): string => `${AIR_QUALITY_IMPORT_PREFIX}${id}`;
export const defaultAirQualitySource = (uri: string): string => `import:${uri}`;

/** The months of one run: training on firstMonth .. the month before testMonth, testing on testMonth ('YYYY-MM'). */
export interface AirQualityWindow {
  firstMonth: string;
  testMonth: string;
  /** Whether this run moved the window on by a month (false: no month after the last one tested). */
  advanced: boolean;
  /** What the run did with the window, in words. */
  note: string;
}

export interface AirQualityTrainingInput {
  /** The search (default AIR_QUALITY_SEARCH); its learners default to the averaged forest and boosted trees. */
  search?: Partial<SearchOptions>;
  promotionMargin?: number;
}

export const AIR_QUALITY_SEARCH: Pick<
  SearchOptions,
  'kind' | 'trials' | 'concurrency' | 'folds' | 'seed' | 'learners'
> = {
  kind: 'random',
  // the averaged forest, boosted trees (and ridge) three times with each feature set: chosen on
  // June - September 2004 of the real file over the forest and boosting alone (bench/README.md)
  trials: 6,
  concurrency: 2,
  folds: 3,
  seed: 0,
  learners: ['average'],
};

/** How many of the window's rows (with a target) each way of handling missing values keeps. */
export interface AirQualityMissing {
  /** Rows of the window's months, with or without CO(GT). */
  rows: number;
  /** Rows with CO(GT): what the model trains and is tested on, missing inputs imputed. */
  withTarget: number;
  /** Of those, rows with every sensor-only input present (dropping the rest keeps these). */
  completeSensors: number;
  /** Of those, rows with every column present. */
  completeAll: number;
}

/** The naive baseline on the test month: CO(GT) at the same hour the day before. */
export interface AirQualityBaseline {
  rmse: number;
  mae: number;
  rows: number;
  /** Test rows without a reading the day before, predicted by the training part's mean instead. */
  fallbacks: number;
}

export type AirQualityTrainingResult =
  | {
      window: AirQualityWindow;
      missing: AirQualityMissing;
      training: TabularReport;
      baseline: AirQualityBaseline;
      /** gs:// URI of the version's normalization statistics (the training part's). */
      statistics: string;
    }
  | { skipped: string };

/** One run's test month, scored (Postgres air_quality_test_months; GET /v1/air-quality-runs). */
export interface AirQualityTestMonth {
  /** The airQualityTraining workflow id. */
  runId: string;
  firstMonth: string;
  testMonth: string;
  /** false: no month was new, the same window was retrained. */
  advanced: boolean;
  trainRows: number;
  testRows: number;
  version: number;
  /** The version's timestamp label (US/Eastern, as the seed's). */
  label: string;
  promoted: boolean;
  /** What the search chose: the learner, its feature set ('sensors' or 'all') and hyperparameters. */
  learner: string;
  featureSet: string | null;
  params: Record<string, unknown>;
  model: { rmse: number; mae: number };
  baseline: { rmse: number; mae: number; fallbacks: number };
  /** When it was recorded (ISO). */
  recordedAt: string;
}

/** Test months pooled: every hour of them as one test set (RMSE from each month's mean square). */
export interface AirQualityPooled {
  months: string[];
  rows: number;
  model: { rmse: number; mae: number };
  baseline: { rmse: number; mae: number };
}
