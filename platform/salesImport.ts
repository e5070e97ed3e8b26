// The bulk sales import: a Rossmann train.csv (the real Kaggle file or a generated one) into
// Postgres, GCS and BigQuery, streaming (the file is never whole in memory), with every bad line
// kept in rejected_rows with its line number and reason. Rerunning an import duplicates nothing.
//
// The file is read in chunks of lines, each starting at a byte offset (a ranged read), one
// transaction each: the chunk's rows, its rejections and its record in sales_import_chunks commit
// together, so a chunk retried after a crash loads nothing twice. The importSales workflow runs one
// activity per chunk; importTrain runs the same chunks in this process.
//
// Rows of dates that `sales` does not hold yet are COPYed straight into it, and each month of them
// is streamed to a GCS object of the chunk as it goes by: no upsert, no second pass over Postgres.
// Rows of dates that exist already go through a temp table and an upsert; the months of dates that
// existed before the import are exported from Postgres at the end. One BigQuery load job then
// replaces the whole date range, and the range's row counts in Postgres, GCS and BigQuery must agree.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ApplicationFailure } from '@temporalio/common';
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import { INVALID_INPUT } from '../contracts/failures.ts';
import {
  addChunkCounts,
  DEFAULT_CHUNK_LINES,
  type ChunkCounts,
  type ChunkStart,
  type ChunkSummary,
  type SalesImportPlan,
  type SalesImportSummary,
  type WarehouseSummary,
} from '../contracts/imports.ts';
import { saleKey, type SaleRow } from '../domain/sales.ts';
import { todayUtc } from '../domain/dates.ts';
import type { Rejection } from '../domain/salesBatch.ts';
import { csvLineBatches, fileBytes, type LinePosition } from './csvLines.ts';
import type { DataDeps } from './deps.ts';
import type { Pool } from './postgres.ts';
import { countIngested } from './metrics.ts';
import { saveRejections } from './rejections.ts';
import {
  countSalesRows,
  exportSales,
  importChunkObject,
  importMonthObject,
  loadSales,
  salesJsonLine,
  salesUpsertConflict,
} from './salesWarehouse.ts';
import { objectRanges, type ObjectStore } from './storage.ts';
import { trainRowReader, type TrainRowOptions } from './trainRows.ts';

/** A train.csv to import: a local file or a GCS object, read from any byte offset. */
export interface TrainFile {
  /** As messages name it: a path or a gs:// URI. */
  name: string;
  /** rejected_rows.source of its rejections. */
  source: string;
  size(): Promise<number>;
  /** The bytes from `start` to `size` (the file's size). */
  bytes(start: number, size: number): AsyncIterable<Buffer>;
}

export function localTrainFile(file: string): TrainFile {
  return {
    name: file,
    source: `import:${path.resolve(file)}`,
    size: async () => (await stat(file)).size,
    bytes: (start) => fileBytes(file, start),
  };
}

export function objectTrainFile(store: ObjectStore, object: string): TrainFile {
  const file = store.file(object);
  const uri = store.uri(object);
  return {
    name: uri,
    source: `import:${uri}`,
    size: async () => {
      try {
        return Number((await file.getMetadata())[0].size);
      } catch (err) {
        if ((err as { code?: number }).code === 404)
          throw ApplicationFailure.nonRetryable(`trainUri: object ${uri} does not exist`, INVALID_INPUT);
        throw err;
      }
    },
    bytes: (start, size) => objectRanges(file, start, size),
  };
}

/**
 * Buffers text into large writes (one write per row made COPY five times slower). `write` returns a
 * promise only when the stream is full and must be waited for, so the common row costs no await.
 * Text goes on into the stream while it drains (gathering it here instead kept whole batches of
 * rows alive through garbage collections: twice the GC time); all waits share one drain promise.
 */
class ChunkedWriter {
  private chunk = '';
  private failure: Error | undefined;
  private drained: Promise<void> | undefined;
  constructor(
    private readonly stream: Writable,
    private readonly size = 1 << 18,
  ) {
    stream.on('error', (err) => {
      this.failure = err;
    });
  }

  write(text: string): Promise<void> | undefined {
    this.chunk += text;
    return this.chunk.length >= this.size ? this.flush() : undefined;
  }

  private flush(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.chunk) return undefined;
    const chunk = this.chunk;
    this.chunk = '';
    if (this.stream.write(chunk)) return undefined;
    return (this.drained ??= once(this.stream, 'drain').then(() => {
      this.drained = undefined;
    }));
  }

  /** Gives up: an upload in flight is abandoned, never completed. */
  abort(): void {
    this.stream.destroy();
  }

  async end(): Promise<void> {
    await this.flush();
    await this.drained;
    this.stream.end();
    await finished(this.stream);
  }
}

/** Months streamed at once before the one opened longest ago is closed. */
const OPEN_MONTHS = 2;

/**
 * The GCS objects a chunk streams its new-date rows into, per month. A file in date order (as
 * Rossmann's is) is done with a month when the next ones begin: once more than OPEN_MONTHS are
 * open, the month opened longest ago is closed, so its upload completes while the chunk reads on
 * instead of after it. A month that comes back gets another part and stays open to the end. The
 * names follow from the file alone: a retried chunk overwrites the same objects.
 */
class MonthObjects {
  readonly streamed: { month: string; object: string; rows: number }[] = [];
  private readonly open = new Map<string, { writer: ChunkedWriter; streamed: { rows: number } }>();
  private readonly parts = new Map<string, number>();
  private readonly closing: Promise<void>[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly importId: string,
    private readonly chunk: number,
  ) {}

  write(month: string, line: string): Promise<void> | undefined {
    const o = this.open.get(month) ?? this.openMonth(month);
    o.streamed.rows++;
    return o.writer.write(line);
  }

  private openMonth(month: string) {
    if (this.open.size >= OPEN_MONTHS) {
      const oldest = [...this.open.keys()].find((m) => this.parts.get(m) === 1);
      if (oldest !== undefined) {
        const closed = this.open.get(oldest)!.writer.end();
        // Awaited in end(); handled now so that a failed upload cannot end the process first.
        closed.catch(() => undefined);
        this.closing.push(closed);
        this.open.delete(oldest);
      }
    }
    const part = this.parts.get(month) ?? 0;
    this.parts.set(month, part + 1);
    const streamed = { month, object: importChunkObject(this.importId, month, this.chunk, part), rows: 0 };
    this.streamed.push(streamed);
    const writer = new ChunkedWriter(
      this.store
        .file(streamed.object)
        .createWriteStream({ resumable: false, validation: 'md5', contentType: 'application/x-ndjson' }),
      1 << 20,
    );
    const o = { writer, streamed };
    this.open.set(month, o);
    return o;
  }

  async end(): Promise<void> {
    await Promise.all([...this.closing, ...[...this.open.values()].map((o) => o.writer.end())]);
  }

  /** A failed chunk leaves no upload hanging; a retry writes the same objects whole. */
  abort(): void {
    for (const o of this.open.values()) o.writer.abort();
  }
}

/**
 * The first line of each (store, product, date) seen so far, in maps keyed by date, then product,
 * then store number: a million string keys kept the garbage collector busy for seconds.
 */
class FirstLines {
  private readonly lines = new Map<string, Map<string, Map<number, number>>>();

  /** The line that had this key first, or undefined (and `line` is now that line). */
  claim(row: SaleRow, line: number): number | undefined {
    let byProduct = this.lines.get(row.date);
    if (!byProduct) this.lines.set(row.date, (byProduct = new Map<string, Map<number, number>>()));
    let byStore = byProduct.get(row.product);
    if (!byStore) byProduct.set(row.product, (byStore = new Map<number, number>()));
    const first = byStore.get(row.storeId);
    if (first === undefined) byStore.set(row.storeId, line);
    return first;
  }
}

const SALES_COLUMNS =
  'store_id, product, date, sales, customers, open, promo, state_holiday, school_holiday, ingested_at';
const tsv = (r: SaleRow, ingestedAt: string) =>
  `${r.storeId}\t${r.product}\t${r.date}\t${r.sales}\t${r.customers}\t${r.open}\t${r.promo}\t${r.stateHoliday}\t${r.schoolHoliday}\t${ingestedAt}\n`;
const duplicateOf = (line: number) => `duplicate of line ${line} (same store, product and date)`;

function monthsBetween(from: string, to: string): { month: string; from: string; to: string }[] {
  const months: { month: string; from: string; to: string }[] = [];
  for (
    let d = new Date(`${from.slice(0, 7)}-01T00:00:00Z`);
    d.toISOString().slice(0, 10) <= to;
    d.setUTCMonth(d.getUTCMonth() + 1)
  ) {
    const start = d.toISOString().slice(0, 10);
    const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
    months.push({ month: start.slice(0, 7), from: start < from ? from : start, to: end > to ? to : end });
  }
  return months;
}

/** The dates `sales` holds, by a loose scan of its date-led key (one probe per distinct date). */
async function datesInSales(pool: Pool): Promise<Set<string>> {
  const { rows } = await pool.query<{ date: string }>(
    `WITH RECURSIVE d AS (SELECT min(date) AS date FROM sales
       UNION ALL SELECT (SELECT min(date) FROM sales WHERE date > d.date) FROM d WHERE d.date IS NOT NULL)
     SELECT date FROM d WHERE date IS NOT NULL`,
  );
  return new Set(rows.map((r) => r.date));
}

/** The months (YYYY-MM) with dates in `sales`: fixed as SalesImportPlan.dirtyMonths before an import's first chunk. */
export async function monthsInSales(pool: Pool): Promise<string[]> {
  return [...new Set([...(await datesInSales(pool))].map((d) => d.slice(0, 7)))].sort();
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

/** How far a running chunk has got, for heartbeats. */
export interface ChunkProgress {
  read: number;
}

/**
 * Imports one chunk of lines from `start` (or returns the summary it recorded, when it ran before).
 * Its rows, rejections and record commit in one transaction.
 */
export async function importSalesChunk(
  deps: DataDeps,
  file: TrainFile,
  plan: SalesImportPlan,
  start: ChunkStart,
  progress: ChunkProgress = { read: 0 },
): Promise<ChunkSummary> {
  try {
    return await chunkOnce(deps, file, plan, start, false, progress);
  } catch (err) {
    // Someone wrote rows of a "new" date while we copied: nothing of ours landed; upsert everything.
    if (!isUniqueViolation(err)) throw err;
    return chunkOnce(deps, file, plan, start, true, progress);
  }
}

interface Staged {
  row: SaleRow;
  line: number;
  raw: string;
}

async function chunkOnce(
  deps: DataDeps,
  file: TrainFile,
  plan: SalesImportPlan,
  start: ChunkStart,
  upsertAll: boolean,
  progress: ChunkProgress,
): Promise<ChunkSummary> {
  const t0 = performance.now();
  const [size, { rows: storeRows }, inSales] = await Promise.all([
    file.size(),
    deps.pool.query<{ store_id: number }>('SELECT store_id FROM stores'),
    // At the chunk's start: dates of earlier chunks are staged too, so a key they wrote is caught below.
    upsertAll ? new Set<string>() : datesInSales(deps.pool),
  ]);
  const readerOptions: TrainRowOptions = {
    knownStores: new Set(storeRows.map((r) => r.store_id)),
    latestDate: plan.latestDate,
    shiftDays: plan.shiftDays,
    window: plan.window,
    rejectedStores: new Map(plan.rejectedStores),
  };
  const dirty = new Set(plan.dirtyMonths);
  const { ingestedAt } = plan;
  const stream = plan.warehouse && !upsertAll;
  const rejected: Rejection[] = [];
  const staged: Staged[] = [];
  const firstLines = new FirstLines();
  const months = new MonthObjects(deps.store, plan.importId, start.chunk);
  const exportMonths = new Set<string>();
  const counts: ChunkCounts = { read: 0, loaded: 0, upserted: 0, rejected: 0, rejectedWithStore: 0, skipped: 0 };
  let minDate: string | undefined;
  let maxDate: string | undefined;
  let header = start.header;
  let end = { offset: size, line: start.line };
  let stopped = false;

  const client = await deps.pool.connect();
  let failed = false;
  let tCopy = 0;
  try {
    await client.query('BEGIN');
    // One attempt at a time per chunk: a retry waits for an attempt still running, then finds its record.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1), $2)', [plan.importId, start.chunk]);
    const {
      rows: [recorded],
    } = await client.query<{ summary: ChunkSummary }>(
      'SELECT summary FROM sales_import_chunks WHERE import_id = $1 AND chunk = $2',
      [plan.importId, start.chunk],
    );
    if (recorded) {
      await client.query('ROLLBACK');
      return recorded.summary;
    }
    let toSales: ChunkedWriter | undefined;
    const toWarehouse = (row: SaleRow) => {
      const month = row.date.slice(0, 7);
      if (!plan.warehouse || dirty.has(month)) return undefined;
      if (!stream) {
        exportMonths.add(month);
        return undefined;
      }
      return months.write(month, salesJsonLine(row, ingestedAt));
    };

    let readRow = header ? trainRowReader(header, file.name, readerOptions) : undefined;
    let lines = 0;
    // Full streams are waited for once per batch of lines, not once per row.
    const waits = new Set<Promise<void>>();
    const wait = (p: Promise<void> | undefined) => {
      if (p) waits.add(p);
    };
    const waited = async () => {
      await Promise.all(waits);
      waits.clear();
    };
    const bytes = start.offset < size ? file.bytes(start.offset, size) : Readable.from([]);
    // Past its size a chunk ends where the date changes (or a quarter later at most): in a file
    // sorted by date, as Rossmann's is, no date is split, so a first import's rows are all COPYed.
    const sizeLimit = Math.ceil(plan.chunkLines * 1.25);
    let dateColumn = header ? header.indexOf('Date') : -1;
    let lastDate: string | undefined;
    let lastBatchEnd: LinePosition = { offset: start.offset, line: start.line };
    batches: for await (const batch of csvLineBatches(bytes, start)) {
      for (let i = 0; i < batch.lines.length; i++) {
        const { fields, line, raw } = batch.lines[i]!;
        if (++lines > plan.chunkLines && readRow && (fields[dateColumn] !== lastDate || lines > sizeLimit)) {
          end = i > 0 ? { offset: batch.endOf(i - 1), line: batch.lines[i - 1]!.line } : lastBatchEnd;
          stopped = true;
          break batches;
        }
        if (!readRow) {
          header = fields;
          readRow = trainRowReader(header, file.name, readerOptions);
          dateColumn = header.indexOf('Date');
        } else {
          lastDate = fields[dateColumn];
          counts.read++;
          const result = readRow(fields);
          if (result.kind === 'skipped') counts.skipped++;
          else if (result.kind === 'rejected') {
            if (result.storeRejected) counts.rejectedWithStore++;
            rejected.push({ line, reason: result.reason, raw });
          } else {
            const row = result.row;
            // Two rows for one key in one chunk: the first lands, the rest are rejected naming it.
            const first = firstLines.claim(row, line);
            if (first !== undefined) rejected.push({ line, reason: duplicateOf(first), raw });
            else {
              if (minDate === undefined || row.date < minDate) minDate = row.date;
              if (maxDate === undefined || row.date > maxDate) maxDate = row.date;
              if (upsertAll || inSales.has(row.date)) staged.push({ row, line, raw });
              else {
                counts.loaded++;
                toSales ??= new ChunkedWriter(client.query(copyFrom(`COPY sales (${SALES_COLUMNS}) FROM STDIN`)));
                wait(toSales.write(tsv(row, ingestedAt)));
                wait(toWarehouse(row));
              }
            }
          }
        }
      }
      progress.read = counts.read;
      end.line = batch.lines.at(-1)!.line;
      if (lines >= plan.chunkLines) lastBatchEnd = { offset: batch.endOf(batch.lines.length - 1), line: end.line };
      await waited();
    }
    await waited();
    if (!header) throw ApplicationFailure.nonRetryable(`${file.name} is empty: expected a header line`, INVALID_INPUT);
    await toSales?.end();
    tCopy = performance.now();
    if (staged.length)
      await upsertStaged(client, file, plan, start, staged, readerOptions, header, rejected, toWarehouse, counts);
    await months.end();
    await saveRejections(client, file.source, rejected);
    counts.rejected = rejected.length;
    const summary: ChunkSummary = {
      chunk: start.chunk,
      end,
      header,
      done: !stopped || end.offset >= size,
      ...counts,
      ...(minDate ? { minDate, maxDate } : {}),
      streamed: months.streamed,
      exportMonths: [...exportMonths],
      ms: { parseAndCopy: Math.round(tCopy - t0), upsert: Math.round(performance.now() - tCopy) },
    };
    await client.query('INSERT INTO sales_import_chunks (import_id, chunk, summary) VALUES ($1, $2, $3)', [
      plan.importId,
      start.chunk,
      summary,
    ]);
    await client.query('COMMIT');
    // Counted once, when the chunk commits: a retry finds its record above and counts nothing.
    countIngested('import', summary.loaded, summary.rejected);
    return summary;
  } catch (err) {
    failed = true;
    months.abort();
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    // After a failed COPY a connection is not trusted back into the pool.
    client.release(failed);
  }
}

/**
 * Upserts the chunk's rows of dates `sales` held when it started. A staged key that `sales` holds
 * with this import's ingested_at was written by an earlier chunk: that row is a later duplicate,
 * rejected naming the earlier line, not upserted over it.
 */
async function upsertStaged(
  client: pg.PoolClient,
  file: TrainFile,
  plan: SalesImportPlan,
  start: ChunkStart,
  staged: Staged[],
  readerOptions: TrainRowOptions,
  header: string[],
  rejected: Rejection[],
  toWarehouse: (row: SaleRow) => Promise<void> | undefined,
  counts: ChunkCounts,
): Promise<void> {
  await client.query(`CREATE TEMP TABLE sales_import_stage (line bigint, store_id int, product text, date date, sales int, customers int,
    open boolean, promo boolean, state_holiday char(1), school_holiday boolean, ingested_at timestamptz) ON COMMIT DROP`);
  const toStage = new ChunkedWriter(
    client.query(copyFrom(`COPY sales_import_stage (line, ${SALES_COLUMNS}) FROM STDIN`)),
  );
  for (const s of staged) await toStage.write(`${s.line}\t${tsv(s.row, plan.ingestedAt)}`);
  await toStage.end();
  // Only dates the earlier chunks loaded can hold their rows: the others are not probed (a reimport stages every row).
  const {
    rows: [earlier],
  } = await client.query<{ first: string | null; last: string | null }>(
    `SELECT min(summary->>'minDate') AS first, max(summary->>'maxDate') AS last FROM sales_import_chunks WHERE import_id = $1 AND chunk < $2`,
    [plan.importId, start.chunk],
  );
  const { rows: repeats } = earlier?.first
    ? await client.query<{ line: number; store_id: number; product: string; date: string }>(
        `DELETE FROM sales_import_stage s USING sales t
     WHERE s.date BETWEEN $2 AND $3 AND t.date = s.date AND t.store_id = s.store_id AND t.product = s.product AND t.ingested_at = $1
     RETURNING s.line, s.store_id, s.product, s.date`,
        [plan.ingestedAt, earlier.first, earlier.last],
      )
    : { rows: [] };
  const repeated = new Set<number>();
  if (repeats.length) {
    const keys = new Set(repeats.map((r) => saleKey({ storeId: r.store_id, product: r.product, date: r.date })));
    const firsts = await firstLinesOf(file, header, readerOptions, keys, start.line);
    const byLine = new Map(staged.map((s) => [s.line, s]));
    for (const r of repeats) {
      const first = firsts.get(saleKey({ storeId: r.store_id, product: r.product, date: r.date }));
      rejected.push({
        line: r.line,
        reason:
          first === undefined
            ? 'duplicate of a line in an earlier chunk (same store, product and date)'
            : duplicateOf(first),
        raw: byLine.get(r.line)!.raw,
      });
      repeated.add(r.line);
    }
  }
  await client.query(
    `INSERT INTO sales (${SALES_COLUMNS}) SELECT ${SALES_COLUMNS} FROM sales_import_stage ${salesUpsertConflict('EXCLUDED.ingested_at')}`,
  );
  for (const s of staged) {
    if (repeated.has(s.line)) continue;
    counts.loaded++;
    counts.upserted++;
    await toWarehouse(s.row);
  }
}

/** The first line before `beforeLine` that holds a valid row of each key: found by reading the earlier chunks again (only when they repeat). */
async function firstLinesOf(
  file: TrainFile,
  header: string[],
  readerOptions: TrainRowOptions,
  keys: Set<string>,
  beforeLine: number,
): Promise<Map<string, number>> {
  const firsts = new Map<string, number>();
  const readRow = trainRowReader(header, file.name, readerOptions);
  let headerSeen = false;
  for await (const batch of csvLineBatches(file.bytes(0, await file.size()))) {
    for (const { fields, line } of batch.lines) {
      if (line > beforeLine || firsts.size === keys.size) return firsts;
      if (!headerSeen) {
        headerSeen = true;
        continue;
      }
      const result = readRow(fields);
      if (result.kind !== 'row') continue;
      const key = saleKey(result.row);
      if (keys.has(key) && !firsts.has(key)) firsts.set(key, line);
    }
  }
  return firsts;
}

/**
 * After the last chunk: exports from Postgres the months whose rows were not all streamed, replaces
 * the imported date range in BigQuery with the import's objects (one load job), and checks that the
 * range's counts in Postgres, GCS and BigQuery agree. Safe to repeat.
 */
export async function finishSalesImport(
  deps: DataDeps,
  file: string,
  plan: SalesImportPlan,
  chunks: ChunkSummary[],
): Promise<WarehouseSummary> {
  const dated = chunks.filter((c) => c.minDate && c.maxDate);
  if (!plan.warehouse || !dated.length) return { months: 0 };
  const minDate = dated.map((c) => c.minDate!).reduce((a, b) => (b < a ? b : a));
  const maxDate = dated.map((c) => c.maxDate!).reduce((a, b) => (b > a ? b : a));
  const months = monthsBetween(minDate, maxDate);
  const exported = new Set([...plan.dirtyMonths, ...chunks.flatMap((c) => c.exportMonths)]);
  const streamed = new Map<string, { object: string; rows: number }[]>();
  for (const s of chunks.flatMap((c) => c.streamed)) streamed.set(s.month, [...(streamed.get(s.month) ?? []), s]);
  // Months streamed by the chunks are final; the others (dates that existed, or no new rows) are
  // exported from Postgres, two at a time (each is one COPY).
  const toExport = months.filter((m) => exported.has(m.month) || !streamed.has(m.month));
  const objects = new Map<string, { object: string; rows: number }[]>();
  for (let i = 0; i < toExport.length; i += 2) {
    await Promise.all(
      toExport.slice(i, i + 2).map(async (m) => {
        const object = importMonthObject(plan.importId, m.month);
        objects.set(m.month, [{ object, rows: await exportSales(deps, m.from, m.to, object) }]);
      }),
    );
  }
  for (const m of months) if (!objects.has(m.month)) objects.set(m.month, streamed.get(m.month)!);
  const loaded = [...objects.values()].flat();
  await loadSales(
    deps,
    minDate,
    maxDate,
    loaded.map((o) => o.object),
  );
  // GCS: the rows written to (or exported into) the objects, whose uploads were checksummed.
  const counts = { ...(await countSalesRows(deps, minDate, maxDate)), gcs: loaded.reduce((a, o) => a + o.rows, 0) };
  if (counts.postgres !== counts.gcs || counts.postgres !== counts.bigquery) {
    throw ApplicationFailure.nonRetryable(
      `import of ${file} does not reconcile for ${minDate}..${maxDate}: postgres ${counts.postgres}, gcs ${counts.gcs}, bigquery ${counts.bigquery}` +
        ' (was another ingest writing these dates at the same time? rerun the import)',
      'ReconciliationMismatch',
    );
  }
  return { months: months.length, counts };
}

export interface ImportOptions {
  /** Also write to GCS and load into BigQuery (default true). */
  warehouse?: boolean;
  /** Days added to every date (the producer shifts history so its last day is yesterday). */
  shiftDays?: number;
  /** Only rows dated within this window (before any shift) are imported; the rest are skipped. */
  window?: { from: string; to: string };
  /** Rows after this date are rejected as future; default today (UTC). */
  latestDate?: string;
  /** Stores just rejected from the stores file, with their line there: their rows are counted as its cascade. */
  rejectedStores?: Iterable<[number, number]>;
  chunkLines?: number;
}

export interface ImportSummary extends SalesImportSummary {
  seconds: { parseAndCopy: number; upsert: number; warehouse: number; total: number };
}

/** A plan for a new import: a fresh id and time, and the months `sales` holds now. */
export async function planSalesImport(
  pool: Pool,
  importId: string,
  opts: ImportOptions & { ingestedAt?: string } = {},
): Promise<SalesImportPlan> {
  return {
    importId,
    ingestedAt: opts.ingestedAt ?? new Date().toISOString(),
    latestDate: opts.latestDate ?? todayUtc(),
    dirtyMonths: await monthsInSales(pool),
    rejectedStores: [...(opts.rejectedStores ?? [])],
    chunkLines: opts.chunkLines ?? DEFAULT_CHUNK_LINES,
    warehouse: opts.warehouse !== false,
    ...(opts.shiftDays ? { shiftDays: opts.shiftDays } : {}),
    ...(opts.window ? { window: opts.window } : {}),
  };
}

/**
 * Imports a local train.csv in this process, chunk after chunk as the importSales workflow does
 * (tests, demo data and benchmarks load data this way); the counts always reconcile:
 * read = loaded + rejected + skipped.
 */
export async function importTrain(deps: DataDeps, file: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const t0 = performance.now();
  const train = localTrainFile(file);
  const plan = await planSalesImport(deps.pool, `local-${randomUUID()}`, opts);
  const chunks: ChunkSummary[] = [];
  for (let start: ChunkStart = { chunk: 0, offset: 0, line: 0 }; ;) {
    const c = await importSalesChunk(deps, train, plan, start);
    chunks.push(c);
    if (c.done) break;
    start = { chunk: c.chunk + 1, offset: c.end.offset, line: c.end.line, header: c.header };
  }
  const tChunks = performance.now();
  const warehouse = await finishSalesImport(deps, file, plan, chunks);
  const tEnd = performance.now();
  const s = (ms: number) => Number((ms / 1000).toFixed(2));
  const upsertMs = chunks.reduce((a, c) => a + c.ms.upsert, 0);
  return {
    ...addChunkCounts(train.source, chunks, warehouse),
    seconds: {
      parseAndCopy: s(tChunks - t0 - upsertMs),
      upsert: s(upsertMs),
      warehouse: s(tEnd - tChunks),
      total: s(tEnd - t0),
    },
  };
}
