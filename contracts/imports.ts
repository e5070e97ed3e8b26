// The bulk import of Rossmann files as a workflow (importSales): its input, the plan and chunk
// records its activities pass along, its progress query and its summary. Shared by the workflow,
// its activities, the CLI and the API.
import { defineQuery } from '@temporalio/workflow';

export interface ImportSalesInput {
  /** gs://<bucket>/<object> of a store.csv; imported first, so train rows of its stores land. */
  storesUri?: string;
  /** gs://<bucket>/<object> of a train.csv. */
  trainUri?: string;
  /** gs://<bucket>/<object> of a test.csv (Kaggle's): the planned calendar of coming days, imported last. */
  calendarUri?: string;
  /** Lines per chunk activity (default DEFAULT_CHUNK_LINES). */
  chunkLines?: number;
  /** Also write to GCS and load into BigQuery (default true). */
  warehouse?: boolean;
}

/** A Rossmann-size file (1M lines) makes a handful of chunks: each a transaction, a retry, a progress step. */
export const DEFAULT_CHUNK_LINES = 250_000;
export const MAX_CHUNK_LINES = 5_000_000;

/** What every chunk of one import shares, fixed before the first. */
export interface SalesImportPlan {
  /** Names the chunk records and the import's GCS objects. */
  importId: string;
  /** Every row of the import carries it: a staged row whose key has it in `sales` already repeats an earlier chunk's row. */
  ingestedAt: string;
  /** Rows after this date are rejected as future. */
  latestDate: string;
  /** Months (YYYY-MM) with dates `sales` held before the import: exported from Postgres at the end rather than streamed. */
  dirtyMonths: string[];
  /** Stores rejected from the stores file, with their line there: their rows are counted as its cascade. */
  rejectedStores: [store: number, line: number][];
  chunkLines: number;
  warehouse: boolean;
  /** Days added to every date (the producer shifts history so its last day is yesterday). */
  shiftDays?: number;
  /** Only rows dated within this window (before any shift) are imported; the rest are skipped. */
  window?: { from: string; to: string };
}

/** What the workflow fixes for a plan; the activity adds what `sales` holds. */
export interface BeginSalesImport {
  importId: string;
  trainUri: string;
  ingestedAt: string;
  latestDate: string;
  rejectedStores: [store: number, line: number][];
  chunkLines: number;
  warehouse: boolean;
}

/** Where a chunk starts: a byte offset at a line boundary and the number of lines before it. */
export interface ChunkStart {
  chunk: number;
  offset: number;
  line: number;
  /** The file's header, read by the first chunk. */
  header?: string[];
}

export interface ChunkCounts {
  read: number;
  loaded: number;
  /** Of the loaded rows, those upserted through staging (dates `sales` held when the chunk started). */
  upserted: number;
  rejected: number;
  /** Of the rejected rows, those whose store was rejected from the stores file. */
  rejectedWithStore: number;
  /** Rows outside the requested window: neither loaded nor rejected. */
  skipped: number;
}

/** A chunk's record: what it did and where the next one starts. Stored with its rows, returned again by a retry. */
export interface ChunkSummary extends ChunkCounts {
  chunk: number;
  /** Where the next chunk starts. */
  end: { offset: number; line: number };
  header: string[];
  /** The last chunk: it reached the end of the file. */
  done: boolean;
  minDate?: string;
  maxDate?: string;
  /** The GCS objects it streamed its new-date rows into, one per month. */
  streamed: { month: string; object: string; rows: number }[];
  /** Months it upserted everything into (someone else wrote its dates meanwhile): exported from Postgres at the end. */
  exportMonths: string[];
  ms: { parseAndCopy: number; upsert: number };
}

export interface RangeCounts {
  postgres: number;
  gcs: number;
  bigquery: number;
}

export interface WarehouseSummary {
  months: number;
  /** Rows of the imported date range in each store, checked equal; absent when nothing was loaded or the warehouse step was off. */
  counts?: RangeCounts;
}

export interface StoresImportSummary {
  /** rejected_rows.source of its rejections. */
  source: string;
  read: number;
  loaded: number;
  rejected: number;
  /** Each rejected store whose number could be read, with its line: its sales rows cannot land. */
  rejectedStores: [store: number, line: number][];
}

export interface CalendarImportSummary {
  /** rejected_rows.source of its rejections. */
  source: string;
  read: number;
  loaded: number;
  rejected: number;
}

export interface SalesImportSummary extends ChunkCounts, WarehouseSummary {
  source: string;
  chunks: number;
}

/** An import's sales counts: its chunks' added up, and the warehouse step's. */
export function addChunkCounts(
  source: string,
  chunks: ChunkSummary[],
  warehouse: WarehouseSummary,
): SalesImportSummary {
  const sum = (k: keyof ChunkCounts) => chunks.reduce((a, c) => a + c[k], 0);
  return {
    source,
    chunks: chunks.length,
    read: sum('read'),
    loaded: sum('loaded'),
    upserted: sum('upserted'),
    rejected: sum('rejected'),
    rejectedWithStore: sum('rejectedWithStore'),
    skipped: sum('skipped'),
    ...warehouse,
  };
}

export type ImportStage = 'starting' | 'stores' | 'sales' | 'warehouse' | 'calendar' | 'done';

export interface ImportProgress {
  stage: ImportStage;
  /** Sales rows read so far (of finished chunks). */
  read: number;
  loaded: number;
  rejected: number;
  chunksDone: number;
  bytesDone: number;
  /** Size of the train file; 0 until known. */
  bytesTotal: number;
}

export interface ImportSalesResult {
  importId: string;
  stores?: StoresImportSummary;
  sales?: SalesImportSummary;
  calendar?: CalendarImportSummary;
  /** Where the rejected rows are: a query on rejected_rows for each file. */
  rejectedRows: string[];
}

export const importProgressQuery = defineQuery<ImportProgress>('importProgress');

export const IMPORT_WORKFLOW_PREFIX = 'import-sales-';
export const importWorkflowId = (id: string): string => `${IMPORT_WORKFLOW_PREFIX}${id}`;
/** A new import's id (not for workflow code): when it started, and a few random characters, e.g. 20261122T101500-a1b2c3. */
export const newImportId = (now = new Date()): string =>
  `${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${Math.floor(Math.random() * 0x1000000)
    .toString(16)
    .padStart(6, '0')}`;

/** The object name of a gs://<bucket>/<object> URI, or why it is not one of `bucket`. */
export function objectOfUri(uri: string, bucket: string): { object: string } | { problem: string } {
  const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) return { problem: `must be gs://<bucket>/<object>, got ${JSON.stringify(uri)}` };
  if (m[1] !== bucket)
    return { problem: `must be an object in the project bucket ${bucket}, got ${JSON.stringify(uri)}` };
  return { object: m[2]! };
}

/** Where an import's rejections are, as a query a user can paste. */
export const rejectedRowsQuery = (source: string): string =>
  `SELECT * FROM rejected_rows WHERE source = '${source.replaceAll("'", "''")}' ORDER BY line`;
