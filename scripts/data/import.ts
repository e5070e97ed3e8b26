// `npm run data -- import`: Rossmann store.csv (here, with csv-parse: it has quoted lists like
// "Jan,Apr,Jul,Oct"; storeRows.ts checks the records) and train.csv (importTrain.ts) into Postgres,
// GCS and BigQuery. Every bad line is kept in rejected_rows with its line number and reason, and
// the sales rows of a rejected store are counted apart, as that store's cascade. Rerunning an
// import duplicates nothing.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { parse, type Info } from 'csv-parse';
import type pg from 'pg';
import { closeDataDeps, createDataDeps } from '../../platform/deps.ts';
import { saveRejections } from '../../platform/rejections.ts';
import type { Rejection } from '../../domain/salesBatch.ts';
import { config } from '../../platform/config.ts';
import { importTrain } from './importTrain.ts';
import { parseStoreRecord, STORE_COLUMNS, type StoreValues } from './storeRows.ts';

/** The share of a file's lines that may be rejected before the import counts as failed. */
export const DEFAULT_MAX_REJECTED_SHARE = 0.05;

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
function recordReader(expected: readonly string[], file: string) {
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

export interface StoresSummary {
  source: string;
  read: number;
  loaded: number;
  rejected: number;
  /** Each rejected store whose number could be read, with its line: its sales rows cannot land. */
  rejectedStores: Map<number, number>;
}

/** Upserts the stores of a store.csv; returns how many were read, loaded and rejected. */
export async function importStores(pool: pg.Pool, file: string): Promise<StoresSummary> {
  const source = `import:${path.resolve(file)}`;
  const rows: StoreValues[] = [];
  const rejected: Rejection[] = [];
  const rejectedStores = new Map<number, number>();
  const parser = csvParser();
  const read = recordReader(STORE_COLUMNS, file);
  parser.on('skip', (err: Error & { lines?: number; raw?: string }) => rejected.push({ line: err.lines ?? 0, reason: `malformed CSV: ${err.message}`, raw: err.raw ?? '' }));
  await pipeline(createReadStream(file), parser, async (records: AsyncIterable<ParsedRecord>) => {
    for await (const { record: fields, info, raw } of records) {
      const line = info.lines;
      const parsed = read(fields);
      if (!parsed) continue;
      if ('wrongLength' in parsed) { rejected.push({ line, reason: parsed.wrongLength, raw }); continue; }
      const store = parseStoreRecord(parsed.record);
      if (store.ok) { rows.push(store.values); continue; }
      rejected.push({ line, reason: store.reason, raw });
      if (store.storeId !== undefined) rejectedStores.set(store.storeId, line);
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
  // A store rejected on one line and loaded from another is no cascade.
  for (const r of rows) rejectedStores.delete(r[0]);
  return { source, read: rows.length + rejected.length, loaded: rows.length, rejected: rejected.length, rejectedStores };
}

const n = (x: number) => x.toLocaleString('en');
const percent = (x: number) => `${Number((x * 100).toFixed(2))}%`;

function maxRejectedShare(raw: string | undefined): number {
  const share = raw === undefined ? DEFAULT_MAX_REJECTED_SHARE : Number(raw);
  if (raw?.trim() === '' || !(share >= 0 && share <= 1)) throw new Error(`--max-rejected-share must be a number from 0 to 1, got "${raw}"`);
  return share;
}

export async function importCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    train: { type: 'string' }, stores: { type: 'string' }, 'no-warehouse': { type: 'boolean', default: false },
    'max-rejected-share': { type: 'string' },
  } });
  if (!values.train && !values.stores) throw new Error('import needs --train train.csv and/or --stores store.csv');
  const maxShare = maxRejectedShare(values['max-rejected-share']);
  // Files that rejected more than the share; checked after both files, so a bad store file still shows its cascade.
  const tooMany: string[] = [];
  const check = (what: string, rejected: number, of: number) => {
    if (of && rejected / of > maxShare) tooMany.push(`${n(rejected)} of ${n(of)} ${what} (${percent(rejected / of)})`);
  };
  const deps = createDataDeps(config(), 'retailflow-import');
  try {
    let rejectedStores: Map<number, number> | undefined;
    if (values.stores) {
      const s = await importStores(deps.pool, values.stores);
      rejectedStores = s.rejectedStores;
      console.log(`[data] stores: read ${n(s.read)}, loaded ${n(s.loaded)}, rejected ${n(s.rejected)}` +
        (s.rejected ? ` (see rejected_rows where source = '${s.source}')` : ''));
      check('stores', s.rejected, s.read);
    }
    if (values.train) {
      const t = await importTrain(deps, values.train, {
        warehouse: !values['no-warehouse'], rejectedStores,
        onProgress: (read) => console.log(`[data] ${n(read)} rows read`),
      });
      console.log(`[data] sales: read ${n(t.read)}, loaded ${n(t.loaded)}, rejected ${n(t.rejected)}` +
        ` (see rejected_rows where source = '${t.source}'); ${t.months} month(s) loaded into BigQuery; ${t.seconds.total} s`);
      if (t.rejectedWithStore) {
        console.log(`[data] ${n(t.rejectedWithStore)} rows rejected because their store was rejected; ${n(t.rejected - t.rejectedWithStore)} for other reasons`);
      }
      check('sales rows', t.rejected, t.read - t.skipped);
    }
  } finally {
    await closeDataDeps(deps);
  }
  if (tooMany.length) {
    throw new Error(`rejected more than ${percent(maxShare)} of the input: ${tooMany.join('; ')}. The rest is loaded; ` +
      'fix the files and rerun (nothing is duplicated), or allow more with --max-rejected-share');
  }
}
