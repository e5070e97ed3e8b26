// The daily ingest's inputs, progress and report: shared by the workflows, activities and API.
import { defineQuery } from '@temporalio/workflow';

export interface DailyIngestInput {
  /** The sales date to ingest, YYYY-MM-DD. */
  date: string;
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

export type IngestStage = 'starting' | 'validating' | 'exporting' | 'loading' | 'reconciling' | 'done' | 'failed';

export interface IngestProgress {
  stage: IngestStage;
  counts: IngestCounts;
}

export interface IngestReport {
  runId: string;
  date: string;
  counts: Required<IngestCounts>;
  durationsMs: Record<string, number>;
}

export interface BackfillInput {
  from: string;
  to: string;
  /** Daily runs in flight at once. */
  concurrency: number;
}

export interface BackfillProgress {
  total: number;
  completed: number;
  failed: string[];
  /** Dates another run was ingesting already. */
  alreadyRunning: string[];
}

export const MAX_BACKFILL_DAYS = 3_660;
export const progressQuery = defineQuery<IngestProgress>('progress');
export const backfillProgressQuery = defineQuery<BackfillProgress>('backfillProgress');
export const dailyIngestWorkflowId = (date: string): string => `daily-ingest-${date}`;
export const backfillWorkflowId = (from: string, to: string): string => `ingest-backfill-${from}-${to}`;
export const stagedSource = (date: string): string => `events:${date}`;
