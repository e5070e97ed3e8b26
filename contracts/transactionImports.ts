// The import of Online Retail files as a workflow (importTransactions): its input, the chunk
// records its activities pass along, its progress query and its summary. Shared by the workflow,
// its activities, the CLI and the API.
import { defineQuery } from '@temporalio/workflow';

export interface ImportTransactionsInput {
  /** gs://<bucket>/<object> of each file (the UCI export, or Spark's daily files), imported in this order. */
  uris: string[];
  /**
   * What transactions and rejected_rows name each file by (default `import:<uri>`). The CLI names
   * the local file, so importing it again (uploaded under a new import id) writes nothing twice.
   */
  sources?: string[];
  /** Lines per chunk activity (default DEFAULT_TRANSACTION_CHUNK_LINES). */
  chunkLines?: number;
}

/** The UCI file (541,909 lines) makes 6 chunks: each a transaction, a retry, a progress step; a daily file makes one. */
export const DEFAULT_TRANSACTION_CHUNK_LINES = 100_000;
export const MAX_TRANSACTION_CHUNK_LINES = 1_000_000;
/** Files per import: each is a few events in the workflow's history. */
export const MAX_TRANSACTION_FILES = 2_000;
/** Files imported at once (a folder of daily files is many small ones). */
export const TRANSACTION_FILES_AT_ONCE = 4;

export const defaultSource = (uri: string): string => `import:${uri}`;

/** One file of an import, as its chunks see it. */
export interface TransactionFile {
  uri: string;
  source: string;
}

/** Where a chunk starts: a byte offset at a line boundary and the number of lines before it. */
export interface TransactionChunkStart {
  chunk: number;
  offset: number;
  line: number;
  /** The file's header, read by the first chunk. */
  header?: string[];
}

export interface TransactionCounts {
  /** Lines after the header, blank ones aside. */
  read: number;
  /** Lines that are rows of `transactions` now. */
  loaded: number;
  /** Of the loaded, rows added or changed (a chunk retried after it committed counts 0; a rerun, 0). */
  written: number;
  rejected: number;
}

export interface TransactionChunkSummary extends TransactionCounts {
  chunk: number;
  /** Where the next chunk starts. */
  end: { offset: number; line: number };
  header: string[];
  /** It reached the end of the file. */
  done: boolean;
}

export interface TransactionFileSummary extends TransactionCounts {
  uri: string;
  source: string;
  bytes: number;
  chunks: number;
}

export interface ImportTransactionsResult extends TransactionCounts {
  importId: string;
  files: TransactionFileSummary[];
  /** Where the rejected lines are (with their line numbers and reasons), when there are any. */
  rejectedRows?: string;
}

export type TransactionImportStage = 'starting' | 'importing' | 'reconciling' | 'done';

export interface TransactionImportProgress {
  stage: TransactionImportStage;
  files: number;
  filesDone: number;
  chunksDone: number;
  /** Lines read so far (of finished chunks). */
  read: number;
  loaded: number;
  rejected: number;
  bytesDone: number;
  /** Of all files; 0 until known. */
  bytesTotal: number;
}

export const transactionImportProgressQuery = defineQuery<TransactionImportProgress>('transactionImportProgress');

export const TRANSACTION_IMPORT_WORKFLOW_PREFIX = 'import-transactions-';
export const transactionImportWorkflowId = (id: string): string => `${TRANSACTION_IMPORT_WORKFLOW_PREFIX}${id}`;

/** Where the rejected lines of these sources are, as a query a user can paste. */
export const rejectedRowsOf = (sources: string[]): string =>
  `SELECT * FROM rejected_rows WHERE source IN (${sources.map((s) => `'${s.replaceAll("'", "''")}'`).join(', ')}) ORDER BY source, line`;
