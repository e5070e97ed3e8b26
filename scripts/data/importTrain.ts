// The bulk sales import: a Rossmann train.csv (the real Kaggle file or a generated one) into
// Postgres, GCS and BigQuery, streaming (the file is never whole in memory), with every bad line
// kept in rejected_rows with its line number and reason. Rerunning an import duplicates nothing.
//
// Rows of dates that `sales` does not hold yet are COPYed straight into it in one transaction, and
// each month of them is written to GCS as it streams by: no upsert, no second pass over Postgres.
// Rows of dates that exist already go through a temp table and an upsert, and their months are
// exported from Postgres afterwards. One BigQuery load job then replaces the whole date range, and
// the range's row counts in Postgres, the GCS objects and BigQuery must agree.
import { once } from 'node:events';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import type { DataDeps } from '../../platform/deps.ts';
import { saveRejections } from '../../platform/rejections.ts';
import { countSalesRows, exportSales, loadSales, SALES_UPSERT_CONFLICT, salesJsonLine, salesMonthObject, type RangeCounts } from '../../platform/salesWarehouse.ts';
import type { SaleRow } from '../../contracts/sales.ts';
import { todayUtc } from '../../domain/dates.ts';
import type { Rejection } from '../../domain/salesBatch.ts';
import { quoteFreeCsvLines } from './lines.ts';
import { trainRowReader } from './trainRows.ts';

export interface ImportSummary {
  source: string;
  read: number;
  loaded: number;
  /** Of the loaded rows, those of dates `sales` held already (upserted rather than copied). */
  upserted: number;
  rejected: number;
  /** Of the rejected rows, those whose store was rejected from the stores file (ImportOptions.rejectedStores). */
  rejectedWithStore: number;
  /** Rows outside the requested window: neither loaded nor rejected. */
  skipped: number;
  months: number;
  /** Rows of the imported date range in each store, checked equal; absent without the warehouse step. */
  counts?: RangeCounts;
  seconds: { parseAndCopy: number; upsert: number; warehouse: number; total: number };
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
  rejectedStores?: ReadonlyMap<number, number>;
  onProgress?: (read: number) => void;
}

/**
 * Buffers text into large writes (one write per row made COPY five times slower). `write` returns a
 * promise only when the stream is full and must be waited for, so the common row costs no await.
 */
class ChunkedWriter {
  private chunk = '';
  private failure: Error | undefined;
  constructor(private readonly stream: Writable, private readonly size = 1 << 18) {
    stream.on('error', (err) => { this.failure = err; });
  }

  write(text: string): Promise<void> | undefined {
    this.chunk += text;
    return this.chunk.length >= this.size ? this.flush() : undefined;
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.chunk) return;
    const chunk = this.chunk;
    this.chunk = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
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
    if (!byProduct) this.lines.set(row.date, byProduct = new Map<string, Map<number, number>>());
    let byStore = byProduct.get(row.product);
    if (!byStore) byProduct.set(row.product, byStore = new Map<number, number>());
    const first = byStore.get(row.storeId);
    if (first === undefined) byStore.set(row.storeId, line);
    return first;
  }
}

const SALES_COLUMNS = 'store_id, product, date, sales, customers, open, promo, state_holiday, school_holiday, ingested_at';
const tsv = (r: SaleRow, ingestedAt: string) =>
  `${r.storeId}\t${r.product}\t${r.date}\t${r.sales}\t${r.customers}\t${r.open}\t${r.promo}\t${r.stateHoliday}\t${r.schoolHoliday}\t${ingestedAt}\n`;

function monthsBetween(from: string, to: string): { month: string; from: string; to: string }[] {
  const months: { month: string; from: string; to: string }[] = [];
  for (let d = new Date(`${from.slice(0, 7)}-01T00:00:00Z`); d.toISOString().slice(0, 10) <= to; d.setUTCMonth(d.getUTCMonth() + 1)) {
    const start = d.toISOString().slice(0, 10);
    const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
    months.push({ month: start.slice(0, 7), from: start < from ? from : start, to: end > to ? to : end });
  }
  return months;
}

/** The dates `sales` holds, by a loose scan of its date-led key (one probe per distinct date). */
async function datesInSales(pool: pg.Pool): Promise<Set<string>> {
  const { rows } = await pool.query<{ date: string }>(
    `WITH RECURSIVE d AS (SELECT min(date) AS date FROM sales
       UNION ALL SELECT (SELECT min(date) FROM sales WHERE date > d.date) FROM d WHERE d.date IS NOT NULL)
     SELECT date FROM d WHERE date IS NOT NULL`);
  return new Set(rows.map((r) => r.date));
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

/** Streams a train.csv into `sales` (and on into GCS and BigQuery); the counts always reconcile: read = loaded + rejected + skipped. */
export async function importTrain(deps: DataDeps, file: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  try {
    return await importOnce(deps, file, opts, false);
  } catch (err) {
    // Someone wrote rows of a "new" date while we copied: nothing of ours landed; upsert everything.
    if (!isUniqueViolation(err)) throw err;
    return importOnce(deps, file, opts, true);
  }
}

async function importOnce(deps: DataDeps, file: string, opts: ImportOptions, upsertAll: boolean): Promise<ImportSummary> {
  const t0 = performance.now();
  const source = `import:${path.resolve(file)}`;
  const warehouse = opts.warehouse !== false;
  const [{ rows: storeRows }, existingDates] = await Promise.all([
    deps.pool.query<{ store_id: number }>('SELECT store_id FROM stores'),
    datesInSales(deps.pool),
  ]);
  const ingestedAt = new Date().toISOString();
  const rejected: Rejection[] = [];
  let firstLines = new FirstLines();
  const monthWriters = new Map<string, ChunkedWriter>();
  const monthRows = new Map<string, number>();
  const dirtyMonths = new Set([...existingDates].map((d) => d.slice(0, 7)));
  let read = 0;
  let skipped = 0;
  let rejectedWithStore = 0;
  let direct = 0;
  let staged = 0;
  let minDate = '9999-12-31';
  let maxDate = '0000-01-01';

  const copyClient = await deps.pool.connect();
  const stageClient = await deps.pool.connect();
  let tCopy = 0;
  let tUpsert = 0;
  let failed = false;
  try {
    await copyClient.query('BEGIN');
    await stageClient.query(`CREATE TEMP TABLE IF NOT EXISTS sales_import (store_id int, product text, date date, sales int,
      customers int, open boolean, promo boolean, state_holiday char(1), school_holiday boolean, ingested_at timestamptz) ON COMMIT PRESERVE ROWS`);
    await stageClient.query('TRUNCATE sales_import');
    const toSales = new ChunkedWriter(copyClient.query(copyFrom(`COPY sales (${SALES_COLUMNS}) FROM STDIN`)));
    const toStaging = new ChunkedWriter(stageClient.query(copyFrom(`COPY sales_import (${SALES_COLUMNS}) FROM STDIN`)));
    const monthWriter = (month: string) => {
      let w = monthWriters.get(month);
      if (!w) {
        w = new ChunkedWriter(deps.store.file(salesMonthObject(month)).createWriteStream({ resumable: false, validation: 'md5', contentType: 'application/x-ndjson' }), 1 << 20);
        monthWriters.set(month, w);
      }
      return w;
    };

    let readRow: ReturnType<typeof trainRowReader> | undefined;
    // Full streams are waited for once per batch of lines, not once per row.
    const waits: Promise<void>[] = [];
    const write = (to: ChunkedWriter, text: string) => { const wait = to.write(text); if (wait) waits.push(wait); };
    for await (const batch of quoteFreeCsvLines(file)) {
      for (const { fields, line, raw } of batch) {
        if (!readRow) {
          readRow = trainRowReader(fields, file, { knownStores: new Set(storeRows.map((r) => r.store_id)), latestDate: opts.latestDate ?? todayUtc(), shiftDays: opts.shiftDays, window: opts.window, rejectedStores: opts.rejectedStores });
          continue;
        }
        read++;
        if (read % 100_000 === 0) opts.onProgress?.(read);
        const result = readRow(fields);
        if (result.kind === 'skipped') { skipped++; continue; }
        if (result.kind === 'rejected') {
          if (result.storeRejected) rejectedWithStore++;
          rejected.push({ line, reason: result.reason, raw });
          continue;
        }
        const row = result.row;
        // Two rows for one key in one file: the first lands, the rest are rejected naming it.
        const first = firstLines.claim(row, line);
        if (first !== undefined) { rejected.push({ line, reason: `duplicate of line ${first} (same store, product and date)`, raw }); continue; }
        if (row.date < minDate) minDate = row.date;
        if (row.date > maxDate) maxDate = row.date;
        if (upsertAll || existingDates.has(row.date)) {
          staged++;
          write(toStaging, tsv(row, ingestedAt));
          continue;
        }
        direct++;
        write(toSales, tsv(row, ingestedAt));
        const month = row.date.slice(0, 7);
        if (warehouse && !dirtyMonths.has(month)) {
          monthRows.set(month, (monthRows.get(month) ?? 0) + 1);
          write(monthWriter(month), salesJsonLine(row, ingestedAt));
        }
      }
      await Promise.all(waits.splice(0));
    }
    if (!readRow) throw new Error(`${file} is empty: expected a header line`);
    firstLines = new FirstLines();
    await Promise.all([toSales.end(), toStaging.end(), ...[...monthWriters.values()].map((w) => w.end())]);
    await copyClient.query('COMMIT');
    tCopy = performance.now();
    if (staged) {
      await stageClient.query(`INSERT INTO sales (${SALES_COLUMNS}) SELECT ${SALES_COLUMNS} FROM sales_import ${SALES_UPSERT_CONFLICT}`);
      await stageClient.query('TRUNCATE sales_import');
    }
    tUpsert = performance.now();
  } catch (err) {
    failed = true;
    await copyClient.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    // After a failed COPY a connection is not trusted back into the pool.
    copyClient.release(failed);
    stageClient.release(failed);
  }
  await saveRejections(deps.pool, source, rejected);
  const loaded = direct + staged;

  const months = loaded && warehouse ? monthsBetween(minDate, maxDate) : [];
  let counts: RangeCounts | undefined;
  if (months.length) {
    // Months streamed to GCS are final; the others (dates that existed, or no new rows) are exported
    // from Postgres, two at a time (each is one COPY).
    const toExport = months.filter((m) => upsertAll || dirtyMonths.has(m.month) || !monthWriters.has(m.month));
    for (let i = 0; i < toExport.length; i += 2) {
      await Promise.all(toExport.slice(i, i + 2).map(async (m) => {
        monthRows.set(m.month, await exportSales(deps, m.from, m.to, salesMonthObject(m.month)));
      }));
    }
    await loadSales(deps, minDate, maxDate, months.map((m) => salesMonthObject(m.month)));
    // GCS: the rows written to (or exported into) the objects, whose uploads were checksummed.
    counts = { ...await countSalesRows(deps, minDate, maxDate), gcs: [...monthRows.values()].reduce((a, b) => a + b, 0) };
    if (counts.postgres !== counts.gcs || counts.postgres !== counts.bigquery) {
      throw new Error(`import of ${file} does not reconcile for ${minDate}..${maxDate}: postgres ${counts.postgres}, gcs ${counts.gcs}, bigquery ${counts.bigquery}` +
        ' (was another ingest writing these dates at the same time? rerun the import)');
    }
  }
  const tEnd = performance.now();
  const s = (a: number, b: number) => Number(((b - a) / 1000).toFixed(2));
  return {
    source, read, loaded, upserted: staged, rejected: rejected.length, rejectedWithStore, skipped, months: months.length, counts,
    seconds: { parseAndCopy: s(t0, tCopy), upsert: s(tCopy, tUpsert), warehouse: s(tUpsert, tEnd), total: s(t0, tEnd) },
  };
}
