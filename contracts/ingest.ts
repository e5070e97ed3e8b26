// The daily ingest's inputs, progress and report: shared by the workflows, activities and API.
import { defineQuery } from '@temporalio/workflow';

export interface DailyIngestInput {
  /** The sales date to ingest, YYYY-MM-DD. */
  date: string;
  /** The backfill this day belongs to, when one started it. */
  backfillId?: string;
}

export interface ValidationCounts {
  staged: number;
  accepted: number;
  rejected: number;
}

export interface IngestCounts extends Partial<ValidationCounts> {
  postgres?: number;
  gcs?: number;
  bigquery?: number;
}

export type IngestStage =
  'starting' | 'validating' | 'exporting' | 'loading' | 'reconciling' | 'done' | 'failed' | 'cancelled';

export interface IngestProgress {
  stage: IngestStage;
  counts: IngestCounts;
}

export interface IngestReport {
  runId: string;
  date: string;
  counts: Required<IngestCounts>;
  durationsMs: Record<string, number>;
  /** Set when the day landed nothing (no events staged, or every one rejected). */
  warning?: string;
}

/** Why a day that ran to the end still needs a look, or undefined. */
export function ingestWarning(counts: ValidationCounts): string | undefined {
  if (counts.staged === 0) return 'no sales events were staged for this day: nothing was ingested';
  if (counts.accepted === 0) return `all ${counts.staged} staged events were rejected: nothing was ingested`;
  return undefined;
}

export interface BackfillInput {
  from: string;
  to: string;
  /** Daily runs in flight at once. */
  concurrency: number;
}

export interface BackfillProgress {
  /** The whole range, across continue-as-new. */
  from: string;
  to: string;
  total: number;
  /** Dates settled so far (done, failed, cancelled or left to another run). */
  completed: number;
  done: number;
  failed: { date: string; reason: string }[];
  /** Dates that did not run to the end because the backfill was cancelled. */
  cancelled: string[];
  /** Dates another run was ingesting already. */
  alreadyRunning: string[];
}

export type BackfillStatus = 'running' | 'done' | 'failed' | 'cancelled';

export const MAX_BACKFILL_DAYS = 3_660;
/** Days ingested at once by a backfill: its children in flight stay far below Temporal's 2,000 pending. */
export const MAX_BACKFILL_CONCURRENCY = 32;
export const progressQuery = defineQuery<IngestProgress>('progress');
export const backfillProgressQuery = defineQuery<BackfillProgress>('backfillProgress');
export const dailyIngestWorkflowId = (date: string): string => `daily-ingest-${date}`;
export const backfillWorkflowId = (from: string, to: string): string => `ingest-backfill-${from}-${to}`;
/** Whether a workflow id is one of a daily ingest or a backfill. */
export const isIngestWorkflowId = (id: string): boolean => /^(daily-ingest|ingest-backfill)-\d{4}-\d{2}-\d{2}/.test(id);
export const stagedSource = (date: string): string => `events:${date}`;
