// The bulk importer: Rossmann store.csv and train.csv (the real Kaggle files or generated ones) into
// Postgres, streaming (the file is never whole in memory) through csv-parse and COPY, with every
// bad line kept in rejected_rows with its line number and reason; then one GCS export and one
// BigQuery load per month. Rerunning an import upserts: nothing is duplicated.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, type Info } from 'csv-parse';
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import { parseArgs } from 'node:util';
import { breaksRule, DEFAULT_PRODUCT, parseSaleEvent, type SaleRow } from '../../contracts/sales.ts';
import { closeDeps, createDeps, type Deps } from '../../activities/deps.ts';
import { saveRejections } from '../../activities/rejections.ts';
import { exportSales, loadSales, SALES_UPSERT_CONFLICT } from '../../activities/salesWarehouse.ts';
import { DAY_MS, todayUtc } from '../../domain/dates.ts';
import type { Rejection } from '../../domain/salesBatch.ts';
import { quoteFreeCsvLines, type CsvLine } from './lines.ts';
import { config } from '../../platform/config.ts';

export interface ImportSummary {
  source: string;
  read: number;
  loaded: number;
  rejected: number;
  /** Rows outside the requested window: neither loaded nor rejected. */
  skipped: number;
  months: number;
  seconds: { parseAndCopy: number; upsert: number; warehouse: number; total: number };
}

/** A CSV field as the JSON value the event schema expects: integers as numbers, the rest as text. */
const unquote = (v: string | undefined) => (v !== undefined && v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);
const csvValue = (raw: string | undefined) => { const v = unquote(raw); return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : v; };

/** One train.csv record as a sales event (the importer and the API share one set of checks). */
export function trainRecordToEvent(r: Record<string, string>): Record<string, unknown> {
  return {
    store_id: csvValue(r.Store), day_of_week: csvValue(r.DayOfWeek), sales: csvValue(r.Sales),
    customers: csvValue(r.Customers), open: csvValue(r.Open), promo: csvValue(r.Promo),
    state_holiday: unquote(r.StateHoliday), school_holiday: csvValue(r.SchoolHoliday), date: unquote(r.Date), product: unquote(r.Product) ?? DEFAULT_PRODUCT,
  };
}

const TRAIN_COLUMNS = ['Store', 'DayOfWeek', 'Date', 'Sales', 'Customers', 'Open', 'Promo', 'StateHoliday', 'SchoolHoliday'];
const STORE_COLUMNS = ['Store', 'StoreType', 'Assortment', 'CompetitionDistance', 'CompetitionOpenSinceMonth',
  'CompetitionOpenSinceYear', 'Promo2', 'Promo2SinceWeek', 'Promo2SinceYear', 'PromoInterval'];

/** store.csv needs quote handling ("Jan,Apr,Jul,Oct"); train.csv is read by quoteFreeCsvLines. */
function csvParser() {
  return parse({
    info: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
}

interface ParsedRecord { record: string[]; info: Info; raw: string }

/**
 * Reads the header (the first record) and turns the following records into objects by column
 * name; a record with another number of fields than the header is reported, not guessed at.
 */
function recordReader(expected: string[], file: string) {
  let header: string[] | undefined;
  return (fields: string[]): { record: Record<string, string> } | { wrongLength: string } | undefined => {
    if (!header) {
      const missing = expected.filter((c) => !fields.includes(c));
      if (missing.length) throw new Error(`${file}: header lacks column(s) ${missing.join(', ')}; found ${fields.join(', ')}`);
      header = fields;
      return undefined;
    }
    if (fields.length !== header.length) return { wrongLength: `wrong number of fields: ${fields.length}, the header has ${header.length}` };
    return { record: Object.fromEntries(header.map((h, i) => [h, fields[i]!])) };
  };
}

/** Upserts the stores of a store.csv; returns how many were read and loaded. */
export async function importStores(pool: pg.Pool, file: string): Promise<{ read: number; loaded: number; rejected: number }> {
  const source = `import:${path.resolve(file)}`;
  const rows: (string | number | boolean | null)[][] = [];
  const rejected: Rejection[] = [];
  const int = (v: string | undefined) => (v === undefined || v === '' ? null : /^\d+$/.test(v) ? Number(v) : NaN);
  const parser = csvParser();
  const read = recordReader(STORE_COLUMNS, file);
  parser.on('skip', (err: Error & { lines?: number; raw?: string }) => rejected.push({ line: err.lines ?? 0, reason: `malformed CSV: ${err.message}`, raw: err.raw ?? '' }));
  await pipeline(createReadStream(file), parser, async (records: AsyncIterable<ParsedRecord>) => {
    for await (const { record: fields, info, raw } of records) {
      const line = info.lines;
      const parsed = read(fields);
      if (!parsed) continue;
      if ('wrongLength' in parsed) { rejected.push({ line, reason: parsed.wrongLength, raw }); continue; }
      const r = parsed.record;
      const values: (string | number | boolean | null)[] = [int(r.Store), r.StoreType ?? null, r.Assortment ?? null, int(r.CompetitionDistance), int(r.CompetitionOpenSinceMonth),
        int(r.CompetitionOpenSinceYear), r.Promo2 === '1', int(r.Promo2SinceWeek), int(r.Promo2SinceYear), r.PromoInterval || null];
      if (!values[0] || Number.isNaN(values[0])) rejected.push({ line, reason: `Store must be a positive whole number, got "${r.Store}"`, raw });
      else if (!/^[abcd]$/.test(r.StoreType ?? '')) rejected.push({ line, reason: `StoreType must be a, b, c or d, got "${r.StoreType}"`, raw });
      else if (!/^[abc]$/.test(r.Assortment ?? '')) rejected.push({ line, reason: `Assortment must be a, b or c, got "${r.Assortment}"`, raw });
      else if (values.some((v) => typeof v === 'number' && Number.isNaN(v))) rejected.push({ line, reason: 'a numeric field holds text', raw });
      else rows.push(values);
    }
  });
  const columns = ['store_id', 'store_type', 'assortment', 'competition_distance', 'competition_open_since_month',
    'competition_open_since_year', 'promo2', 'promo2_since_week', 'promo2_since_year', 'promo_interval'];
  const types = ['int', 'text', 'text', 'int', 'smallint', 'smallint', 'boolean', 'smallint', 'smallint', 'text'];
  if (rows.length) {
    await pool.query(
      `INSERT INTO stores (${columns.join(', ')})
       SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
       ON CONFLICT (store_id) DO UPDATE SET ${columns.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()`,
      columns.map((_, i) => rows.map((r) => r[i])));
  }
  await saveRejections(pool, source, rejected);
  return { read: rows.length + rejected.length, loaded: rows.length, rejected: rejected.length };
}

function monthsBetween(from: string, to: string): { from: string; to: string }[] {
  const months: { from: string; to: string }[] = [];
  for (let d = new Date(`${from.slice(0, 7)}-01T00:00:00Z`); d.toISOString().slice(0, 10) <= to; d.setUTCMonth(d.getUTCMonth() + 1)) {
    const start = d.toISOString().slice(0, 10);
    const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
    months.push({ from: start < from ? from : start, to: end > to ? to : end });
  }
  return months;
}

const tsv = (r: SaleRow, line: number) =>
  `${line}\t${r.storeId}\t${r.product}\t${r.date}\t${r.sales}\t${r.customers}\t${r.open}\t${r.promo}\t${r.stateHoliday}\t${r.schoolHoliday}\n`;

export interface ImportOptions {
  /** Also export to GCS and load into BigQuery, one load per month. */
  warehouse?: boolean;
  /** Days added to every date (the producer shifts history so its last day is yesterday). */
  shiftDays?: number;
  /** Only rows dated within this window (before any shift) are imported; the rest are skipped. */
  window?: { from: string; to: string };
  /** Rows after this date are rejected as future; default today (UTC). */
  latestDate?: string;
  onProgress?: (read: number) => void;
}

/** Streams a train.csv into `sales`; returns the counts, which always reconcile: read = loaded + rejected + skipped. */
export async function importTrain(deps: Deps, file: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const t0 = performance.now();
  const source = `import:${path.resolve(file)}`;
  const { rows: storeRows } = await deps.pool.query<{ store_id: number }>('SELECT store_id FROM stores');
  const ctx = { knownStores: new Set(storeRows.map((r) => r.store_id)), latestDate: opts.latestDate ?? todayUtc() };
  const shiftMs = (opts.shiftDays ?? 0) * DAY_MS;
  const rejected: Rejection[] = [];
  let read = 0;
  let skipped = 0;
  let minDate = '9999-12-31';
  let maxDate = '0000-01-01';

  const client = await deps.pool.connect();
  let loaded = 0;
  let tCopy = 0;
  let tUpsert = 0;
  try {
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS sales_import (line bigint, store_id int, product text, date date, sales int,
      customers int, open boolean, promo boolean, state_holiday char(1), school_holiday boolean) ON COMMIT PRESERVE ROWS`);
    await client.query('TRUNCATE sales_import');
    const readRecord = recordReader(TRAIN_COLUMNS, file);
    // Rows go to COPY in ~256 KB chunks: one write per row made the copy five times slower.
    let chunk = '';
    const toCopy = new Transform({
      writableObjectMode: true,
      flush(done) { done(null, chunk || undefined); },
      transform({ fields, line, raw }: CsvLine, _enc, done) {
        const parsedRecord = readRecord(fields);
        if (!parsedRecord) return done();
        read++;
        if (read % 100_000 === 0) opts.onProgress?.(read);
        if ('wrongLength' in parsedRecord) {
          rejected.push({ line, reason: parsedRecord.wrongLength, raw: raw.trimEnd() });
          return done();
        }
        const event = trainRecordToEvent(parsedRecord.record);
        const date = String(event.date);
        if (opts.window && (date < opts.window.from || date > opts.window.to)) { skipped++; return done(); }
        if (shiftMs && typeof event.date === 'string') {
          const shifted = new Date(Date.parse(`${event.date}T00:00:00Z`) + shiftMs);
          if (!Number.isNaN(shifted.getTime())) { event.date = shifted.toISOString().slice(0, 10); delete event.day_of_week; }
        }
        const parsed = parseSaleEvent(event);
        if (!parsed.ok) { rejected.push({ line, reason: `${parsed.field}: ${parsed.reason}`, raw: raw.trimEnd() }); return done(); }
        const broken = breaksRule(parsed.value, ctx);
        if (broken) { rejected.push({ line, reason: broken, raw: raw.trimEnd() }); return done(); }
        const row = parsed.value;
        if (row.date < minDate) minDate = row.date;
        if (row.date > maxDate) maxDate = row.date;
        chunk += tsv(row, line);
        if (chunk.length < 1 << 18) return done();
        const full = chunk;
        chunk = '';
        done(null, full);
      },
    });
    await pipeline(Readable.from(quoteFreeCsvLines(file)), toCopy,
      client.query(copyFrom('COPY sales_import FROM STDIN')));
    tCopy = performance.now();

    // Two rows for one key in one file: keep the first, reject the rest with the line they repeat.
    const { rows: dups } = await client.query<{ line: number; first: number; raw: string }>(
      `SELECT line, first, concat_ws(',', store_id, date, sales, customers, open::int, promo::int, state_holiday, school_holiday::int, product) AS raw
       FROM (SELECT *, min(line) OVER (PARTITION BY store_id, product, date) AS first FROM sales_import) d WHERE line <> first`);
    for (const d of dups) rejected.push({ line: d.line, reason: `duplicate of line ${d.first} (same store, product and date)`, raw: d.raw });
    await client.query('BEGIN');
    const res = await client.query(
      `INSERT INTO sales (store_id, product, date, sales, customers, open, promo, state_holiday, school_holiday)
       SELECT DISTINCT ON (store_id, product, date) store_id, product, date, sales, customers, open, promo, state_holiday, school_holiday
       FROM sales_import ORDER BY store_id, product, date, line
       ${SALES_UPSERT_CONFLICT}`);
    await client.query('COMMIT');
    loaded = res.rowCount ?? 0;
    await client.query('TRUNCATE sales_import');
    tUpsert = performance.now();
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  await saveRejections(deps.pool, source, rejected);

  const months = loaded && opts.warehouse !== false ? monthsBetween(minDate, maxDate) : [];
  // Two months at a time: the emulator serializes writes anyway, real BigQuery takes more.
  for (let i = 0; i < months.length; i += 2) {
    await Promise.all(months.slice(i, i + 2).map(async (m) => {
      await exportSales(deps, m.from, m.to);
      await loadSales(deps, m.from, m.to);
    }));
  }
  const tEnd = performance.now();
  const s = (a: number, b: number) => Number(((b - a) / 1000).toFixed(2));
  return {
    source, read, loaded, rejected: rejected.length, skipped, months: months.length,
    seconds: { parseAndCopy: s(t0, tCopy), upsert: s(tCopy, tUpsert), warehouse: s(tUpsert, tEnd), total: s(t0, tEnd) },
  };
}

export async function importCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    train: { type: 'string' }, stores: { type: 'string' }, 'no-warehouse': { type: 'boolean', default: false },
  } });
  if (!values.train && !values.stores) throw new Error('import needs --train train.csv and/or --stores store.csv');
  const deps = createDeps(config(), 'retailflow-import');
  try {
    if (values.stores) {
      const s = await importStores(deps.pool, values.stores);
      console.log(`[data] stores: read ${s.read}, loaded ${s.loaded}, rejected ${s.rejected}`);
    }
    if (values.train) {
      const t = await importTrain(deps, values.train, {
        warehouse: !values['no-warehouse'],
        onProgress: (n) => console.log(`[data] ${n.toLocaleString('en')} rows read`),
      });
      console.log(`[data] sales: read ${t.read.toLocaleString('en')}, loaded ${t.loaded.toLocaleString('en')}, rejected ${t.rejected.toLocaleString('en')}` +
        ` (see rejected_rows where source = '${t.source}'); ${t.months} month(s) loaded into BigQuery; ${t.seconds.total} s`);
    }
  } finally {
    await closeDeps(deps);
  }
}
