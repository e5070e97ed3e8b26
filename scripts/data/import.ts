// `npm run data -- import`: Rossmann store.csv (here, with csv-parse: it has quoted lists like
// "Jan,Apr,Jul,Oct") and train.csv (importTrain.ts) into Postgres, GCS and BigQuery. Every bad line
// is kept in rejected_rows with its line number and reason. Rerunning an import duplicates nothing.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { parse, type Info } from 'csv-parse';
import type pg from 'pg';
import { closeDeps, createDeps } from '../../activities/deps.ts';
import { saveRejections } from '../../activities/rejections.ts';
import type { Rejection } from '../../domain/salesBatch.ts';
import { config } from '../../platform/config.ts';
import { importTrain } from './importTrain.ts';

const STORE_COLUMNS = ['Store', 'StoreType', 'Assortment', 'CompetitionDistance', 'CompetitionOpenSinceMonth',
  'CompetitionOpenSinceYear', 'Promo2', 'Promo2SinceWeek', 'Promo2SinceYear', 'PromoInterval'];

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
