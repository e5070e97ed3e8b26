// Weekly training's inputs, progress and report: shared by the workflows, activities and API.
import { defineQuery } from '@temporalio/workflow';
import { invalidInput } from './failures.ts';
import type { ForecastMetrics } from '../ml/forecast/metrics.ts';
import type { SeriesTrainingOptions } from '../ml/forecast/trainSeries.ts';

export interface TrainingOptions {
  /** The last day of history; forecasts start the day after. */
  asOf: string;
  /** A name from ml/forecast/engines.ts. */
  engine: string;
  /** Days of history to fit on, or 'full'. */
  windowDays: number | 'full';
  /** Only these products (default: all). */
  products?: string[];
  /** Series per shard (one activity each). */
  shardSize: number;
  /** Shards in flight at once. */
  concurrency: number;
  /** A new version is promoted unless its backtest RMSPE is worse than production's by more than this fraction. */
  promotionMargin: number;
  backtestFolds: number;
  /** Days forecast, and days per backtest fold. */
  horizon: number;
  /**
   * Fit one global model for the run first, and let each series serve fast, global or their blend
   * by its backtest (ml/forecast/choice.ts). Absent in runs started before it existed.
   */
  global?: boolean;
}

/** Why a run with the global step cannot take another engine. */
export const GLOBAL_NEEDS_FAST = (engine: string): string =>
  `the global step chooses between fast, global and their blend, so engine must be "fast", got ${JSON.stringify(engine)}`;

export const DEFAULT_TRAINING: Omit<TrainingOptions, 'asOf'> = {
  engine: 'fast',
  windowDays: 120,
  // Temporal's and the snapshot upload's fixed cost per shard (~19 ms of server CPU, ~7 ms an upload) is
  // paid per 512 series, not 128: a 100,000-series run's server CPU fell from 24 s to 7-9 s.
  shardSize: 512,
  concurrency: 4,
  promotionMargin: 0.05,
  backtestFolds: 3,
  horizon: 7,
};

export interface TrainingCounts {
  series: number;
  shards: number;
  shardsDone: number;
  /** Series done (fitted or unfit). */
  done: number;
  fitted: number;
  unfit: number;
  promoted: number;
  forecasts: number;
  /** Fitted series by the engine they chose, in a run with a global model. */
  chosen?: Record<ChoiceCandidate, number>;
}

export const CHOICE_CANDIDATES = ['fast', 'global', 'blend'] as const;
export type ChoiceCandidate = (typeof CHOICE_CANDIDATES)[number];

/** The run's global model: its artifact and what it was fitted on. */
export interface GlobalModelSummary {
  artifact: string;
  series: number;
  rows: number;
  /** Seconds the fit took (0 when an earlier attempt of the same run had stored it). */
  fitSeconds: number;
}

export type TrainingStage =
  'snapshotting' | 'fitting_global' | 'training' | 'recording' | 'done' | 'failed' | 'cancelled';

export interface TrainingProgress {
  stage: TrainingStage;
  counts: TrainingCounts;
  /** Series per second since training started, and the seconds left at that rate. */
  seriesPerSecond: number;
  etaSeconds: number | null;
}

/** What one shard reports to the run. */
export interface ShardResult {
  series: number;
  fitted: number;
  unfit: number;
  promoted: number;
  forecasts: number;
  chosen?: Record<ChoiceCandidate, number>;
}

export interface TrainingReport {
  runId: string;
  asOf: string;
  engine: string;
  counts: TrainingCounts;
  /** Distribution of the fitted versions' backtest metrics. */
  metrics: MetricSummary;
  seconds: number;
  global?: GlobalModelSummary;
}

export type MetricSummary = Partial<
  Record<
    keyof Pick<ForecastMetrics, 'rmspe' | 'wape' | 'coverage'>,
    { p10: number; p50: number; p90: number; mean: number }
  >
>;

export const trainingProgressQuery = defineQuery<TrainingProgress>('trainingProgress');
/** A run's id (its workflow id): one per as-of date with the default engine and window, else also named by those. */
export const trainingRunId = (o: Pick<TrainingOptions, 'asOf' | 'engine' | 'windowDays'>): string =>
  o.engine === DEFAULT_TRAINING.engine && o.windowDays === DEFAULT_TRAINING.windowDays
    ? `weekly-training-${o.asOf}`
    : `training-${o.asOf}-${o.engine}-${o.windowDays === 'full' ? 'full' : `w${o.windowDays}`}`;
/** The family of the per-series forecast models, and the start of each one's name. */
export const SALES_FORECAST_MODELS = 'sales-forecast';
/** Shards trained at once by a weekly run: its pending activities stay far below Temporal's 2,000. */
export const MAX_TRAINING_CONCURRENCY = 64;
export const forecastModelName = (storeId: number, product: string): string =>
  `${SALES_FORECAST_MODELS}:${storeId}:${product}`;
/**
 * A shard's snapshot: one object per workflow execution, so a retried shard reads what its first
 * attempt wrote and a rerun of the run snapshots anew. Without `execution`, where runs started
 * before the shards snapshotted themselves wrote theirs (the whole window at once, no plan).
 */
export const trainingShardObject = (runId: string, shard: number, execution?: string): string =>
  `training/${runId}/${execution ? `${execution}/` : ''}shards/${String(shard).padStart(5, '0')}.ndjson`;

/** A run's shard plan (one per workflow execution): each shard's stores, `[first, last, series]`. */
export const trainingShardPlanObject = (runId: string, execution: string): string =>
  `training/${runId}/${execution}/shards.json`;

export type ShardStores = [first: number, last: number, series: number];

/**
 * Cuts stores (in store order, with their series counts) into shards of whole stores, adding stores
 * to a shard while it stays within `shardSize` series (a store with more series has a shard of its own).
 */
export function shardStoreRanges(seriesPerStore: readonly [number, number][], shardSize: number): ShardStores[] {
  if (!Number.isInteger(shardSize) || shardSize < 1)
    throw invalidInput('shardSize', `must be a whole number of at least 1, got ${shardSize}`);
  const shards: ShardStores[] = [];
  for (const [store, series] of seriesPerStore) {
    const last = shards.at(-1);
    if (last && last[2] + series <= shardSize) {
      last[1] = store;
      last[2] += series;
    } else shards.push([store, store, series]);
  }
  return shards;
}

/** A run's global model: one object per workflow execution, so a retried fit finds its own and a rerun fits anew. */
export const globalModelObject = (runId: string, workflowRunId: string): string =>
  `models/global-forecast/${runId}/${workflowRunId}.json`;

/** What each series is trained with, from a run's options (a weekly run's, or a retrain's). */
export const seriesTrainingOptions = (
  o: Pick<TrainingOptions, 'engine' | 'asOf' | 'horizon' | 'backtestFolds' | 'promotionMargin'>,
): SeriesTrainingOptions => ({
  engine: o.engine,
  asOf: o.asOf,
  horizon: o.horizon,
  backtestFolds: o.backtestFolds,
  promotionMargin: o.promotionMargin,
  intervalWidth: 0.95,
});
