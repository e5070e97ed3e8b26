// Online Retail files into `transactions`, a chunk of lines at a time: a chunk reads its file from
// a byte offset at a line boundary (a ranged read of a GCS object, or of a local file), and its
// rows and rejections commit in one database transaction (saveTransactionBatch) as the whole of
// its lines. A chunk retried after a crash writes the same rows again, which changes nothing.
// The importTransactions workflow runs one activity per chunk; importTransactions below runs the
// same chunks in this process (tests and benchmarks load local files this way).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { invalidInput } from '../contracts/failures.ts';
import {
  DEFAULT_TRANSACTION_CHUNK_LINES,
  type TransactionChunkStart,
  type TransactionChunkSummary,
} from '../contracts/transactionImports.ts';
import { parseRetailRecord } from '../domain/onlineRetail.ts';
import type { Rejection } from '../domain/salesBatch.ts';
import { fileBytes } from './csvLines.ts';
import { readRetailLines, retailFiles } from './onlineRetailCsv.ts';
import type { Pool } from './postgres.ts';
import { objectRanges, type ObjectStore } from './storage.ts';
import { saveTransactionBatch, type SourcedTransaction } from './transactions.ts';

/** An Online Retail file to import: a local file or a GCS object, read from any byte offset. */
export interface RetailFile {
  /** As messages name it: a path or a gs:// URI. */
  name: string;
  /** transactions.source and rejected_rows.source of its lines. */
  source: string;
  size(): Promise<number>;
  /** The bytes from `start` to `size` (the file's size). */
  bytes(start: number, size: number): AsyncIterable<Buffer>;
}

/** Each local file's rows and rejections are kept under import:<absolute path>. */
export const localSource = (file: string): string => `import:${path.resolve(file)}`;

export function localRetailFile(file: string, source = localSource(file)): RetailFile {
  return { name: file, source, size: async () => (await stat(file)).size, bytes: (start) => fileBytes(file, start) };
}

/** `field` names the input that gave the object, for the error when it does not exist. */
export function objectRetailFile(store: ObjectStore, object: string, source: string, field: string): RetailFile {
  const file = store.file(object);
  const uri = store.uri(object);
  return {
    name: uri,
    source,
    size: async () => {
      try {
        return Number((await file.getMetadata())[0].size);
      } catch (err) {
        if ((err as { code?: number }).code === 404) throw invalidInput(field, `object ${uri} does not exist`);
        throw err;
      }
    },
    bytes: (start, size) => objectRanges(file, start, size),
  };
}

/** How far a running chunk has got, for heartbeats. */
export interface ChunkProgress {
  read: number;
}

/**
 * Reads up to `chunkLines` lines from `start` (ending after a record, so the next chunk starts at
 * a line boundary) and writes them in one transaction: read = loaded + rejected.
 */
export async function importTransactionChunk(
  pool: Pool,
  file: RetailFile,
  chunkLines: number,
  start: TransactionChunkStart,
  progress: ChunkProgress = { read: 0 },
): Promise<TransactionChunkSummary> {
  const size = await file.size();
  const reader = readRetailLines(file.bytes(start.offset, size), file.name, { line: start.line, header: start.header });
  const rows: SourcedTransaction[] = [];
  const rejected: Rejection[] = [];
  let end = { offset: size, line: start.line };
  for await (const l of reader.lines) {
    progress.read++;
    const parsed = 'record' in l ? parseRetailRecord(l.record) : { ok: false as const, reason: l.problem };
    if (parsed.ok) rows.push({ source: file.source, line: l.line, transaction: parsed.value });
    else rejected.push({ line: l.line, reason: parsed.reason, raw: l.raw });
    end.line = l.line;
    if (l.end !== undefined && progress.read >= chunkLines) {
      end = { offset: start.offset + l.end, line: l.line };
      break;
    }
  }
  const done = end.offset >= size;
  const written = await saveTransactionBatch(pool, rows, new Map([[file.source, rejected]]), {
    source: file.source,
    from: start.line + 1,
    ...(done ? {} : { to: end.line }),
  });
  return {
    chunk: start.chunk,
    end,
    // Read by now: the reader fails on a file without one.
    header: reader.header()!,
    done,
    read: progress.read,
    loaded: rows.length,
    written,
    rejected: rejected.length,
  };
}

/** The chunks of one file, one after another from its start. */
export async function importRetailFile(
  pool: Pool,
  file: RetailFile,
  chunkLines = DEFAULT_TRANSACTION_CHUNK_LINES,
): Promise<TransactionChunkSummary[]> {
  const chunks: TransactionChunkSummary[] = [];
  for (let start: TransactionChunkStart = { chunk: 0, offset: 0, line: 0 }; ;) {
    const c = await importTransactionChunk(pool, file, chunkLines, start);
    chunks.push(c);
    if (c.done) return chunks;
    start = { chunk: c.chunk + 1, offset: c.end.offset, line: c.end.line, header: c.header };
  }
}

export interface TransactionsImportSummary {
  files: number;
  read: number;
  loaded: number;
  /** Added or changed: 0 on a rerun of the same files. */
  written: number;
  rejected: number;
}

/** A local file, folder or glob of Online Retail files into `transactions` in this process, as the workflow does. */
export async function importTransactions(
  pool: Pool,
  source: string,
  chunkLines = DEFAULT_TRANSACTION_CHUNK_LINES,
): Promise<TransactionsImportSummary> {
  const files = await retailFiles(source);
  const summary = { files: files.length, read: 0, loaded: 0, written: 0, rejected: 0 };
  for (const file of files) {
    for (const c of await importRetailFile(pool, localRetailFile(file), chunkLines)) {
      summary.read += c.read;
      summary.loaded += c.loaded;
      summary.written += c.written;
      summary.rejected += c.rejected;
    }
  }
  return summary;
}
