// Customer segmentation (seed 000): the customerSegmentation workflow's options, progress and
// report, the registry payload of a segmentation version, and the stage counts. Shared by the
// workflow, its activities, the API and the page.
import { defineQuery } from '@temporalio/workflow';
import type { CleaningCounts } from '../ml/segmentation/cleaning.ts';
import type { FeatureName } from '../ml/segmentation/features.ts';
import type { SegmentChanges } from '../ml/segmentation/matching.ts';
import type { SegmentProfile } from '../ml/segmentation/profiles.ts';
import type { Scaler } from '../ml/segmentation/scaler.ts';

export type { CleaningCounts };

/** The one segmentation model of the registry: its versions are the runs' results. */
export const SEGMENTATION_MODEL = 'customer_segments';
export const SEGMENTATION_ENGINE = 'kmeans';
export const SEGMENTATION_RUN_PREFIX = 'segmentation-';
export const MIN_SEGMENTS = 2;
export const MAX_SEGMENTS = 10;

export interface SegmentationOptions {
  /** Transactions from the start of this day (YYYY-MM-DD, the file's local time); default: from the first. */
  from?: string;
  /** Transactions up to the end of this day; default: up to the last. */
  asOf?: string;
  /** Fit only this k instead of choosing k from kMin..kMax by silhouette. */
  k?: number;
  kMin: number;
  kMax: number;
  /** k-means++ restarts per k (the one with the best silhouette is kept). */
  restarts: number;
  /** Seeds the restarts and the silhouette sample, so a rerun fits the same model. */
  seed: number;
  /** The new version replaces production unless its silhouette is lower than production's by more than this. */
  promotionMargin: number;
}

export const DEFAULT_SEGMENTATION: SegmentationOptions = {
  kMin: MIN_SEGMENTS,
  kMax: MAX_SEGMENTS,
  restarts: 10,
  seed: 42,
  promotionMargin: 0.02,
};

/** The ks a run fits, in order. */
export const segmentCounts = (o: Pick<SegmentationOptions, 'k' | 'kMin' | 'kMax'>): number[] =>
  o.k !== undefined ? [o.k] : Array.from({ length: o.kMax - o.kMin + 1 }, (_, i) => o.kMin + i);

export type SegmentationStage =
  'exporting' | 'cleaning' | 'fitting' | 'registering' | 'assigning' | 'done' | 'failed' | 'cancelled';

/** What the warehouse snapshot of a run holds once exported, cleaned and turned into features. */
export interface SegmentationSnapshot {
  /** Transactions exported (invoice date up to the end of asOf). */
  transactions: number;
  cleaning: CleaningCounts;
  /** The time recency counts from (YYYY-MM-DD HH:MM:SS): the end of asOf, or without it the latest cleaned invoice. */
  snapshotDate: string;
  customers: number;
}

/** One k's fit, as reported and charted (centroids in the run's scaled space). */
export interface SegmentCountFit {
  k: number;
  inertia: number;
  silhouette: number;
  /** Points the silhouette was computed on: all customers, or a seeded sample above 20,000. */
  silhouettePoints: number;
  sizes: number[];
  centroids: number[][];
  /** Per restart: its seed, inertia and silhouette; `kept` is the index of the one kept. */
  restarts: { seed: number; inertia: number; silhouette: number }[];
  kept: number;
}

/** The registry params of a segmentation version: everything /predict needs, and the profiles people read. */
export interface SegmentationModelParams {
  k: number;
  features: FeatureName[];
  scaler: Scaler;
  /** In the scaled space. */
  centroids: number[][];
  profiles: SegmentProfile[];
  snapshotDate: string;
  from: string | null;
  asOf: string | null;
}

export interface SegmentationMetrics {
  silhouette: number;
  inertia: number;
  customers: number;
  /** Every k fitted: inertia and silhouette. */
  byK: { k: number; inertia: number; silhouette: number }[];
}

export interface SegmentationCounts {
  transactions: number;
  cleaned: number;
  customers: number;
  kTotal: number;
  kDone: number;
  assigned: number;
}

export interface SegmentationProgress {
  stage: SegmentationStage;
  counts: SegmentationCounts;
}

export const segmentationProgressQuery = defineQuery<SegmentationProgress>('segmentationProgress');

/** What registering a version decided. */
export interface SegmentationRegistration {
  version: number;
  promoted: boolean;
  /** Why it was or was not promoted, in words. */
  reason: string;
  /** The production version it was compared with, if there was one. */
  previous: { version: number; silhouette: number } | null;
  /** Customers that changed segment against the previous production version (null: none before). */
  changes: SegmentChanges | null;
}

/** The transactions a run segments: invoice dates within these days, both included. */
export type TransactionWindow = Pick<SegmentationOptions, 'from' | 'asOf'>;

export interface SegmentationReport {
  runId: string;
  from: string | null;
  asOf: string | null;
  snapshot: SegmentationSnapshot;
  /** The k kept, and whether the run fixed it or silhouette chose it. */
  k: number;
  chosenBy: 'silhouette' | 'fixed';
  byK: SegmentationMetrics['byK'];
  registration: SegmentationRegistration;
  assigned: number;
  seconds: number;
}
