// A Rossmann store.csv into the stores table, read with csv-parse (it has quoted lists like
// "Jan,Apr,Jul,Oct"; storeRows.ts checks the records). Every bad line is kept in rejected_rows with
// its line number and reason; a rejected store whose number could be read is reported, so its sales
// rows count as that rejection's cascade. Upserts by store: rerunning duplicates nothing.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { StoresImportSummary } from '../contracts/imports.ts';
import { readRecords } from './csvRecords.ts';
import type { Pool } from './postgres.ts';
import { saveRejections } from './rejections.ts';
import { parseStoreRecord, STORE_COLUMNS, type StoreValues } from './storeRows.ts';

const COLUMNS = [
  'store_id',
  'store_type',
  'assortment',
  'competition_distance',
  'competition_open_since_month',
  'competition_open_since_year',
  'promo2',
  'promo2_since_week',
  'promo2_since_year',
  'promo_interval',
];
const TYPES = ['int', 'text', 'text', 'int', 'smallint', 'smallint', 'boolean', 'smallint', 'smallint', 'text'];

/**
 * Upserts the stores of a store.csv read from `bytes` (named `file` in messages, `source` in
 * rejected_rows); returns how many were read, loaded and rejected.
 */
export async function importStoresFrom(
  pool: Pool,
  bytes: Readable,
  file: string,
  source: string,
): Promise<StoresImportSummary> {
  const rows: StoreValues[] = [];
  const rejectedStores = new Map<number, number>();
  const rejected = await readRecords(bytes, STORE_COLUMNS, file, (record, line) => {
    const store = parseStoreRecord(record);
    if (store.ok) {
      rows.push(store.values);
      return undefined;
    }
    if (store.storeId !== undefined) rejectedStores.set(store.storeId, line);
    return store.reason;
  });
  if (rows.length) {
    await pool.query(
      `INSERT INTO stores (${COLUMNS.join(', ')})
       SELECT * FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
       ON CONFLICT (store_id) DO UPDATE SET ${COLUMNS.slice(1)
         .map((c) => `${c} = EXCLUDED.${c}`)
         .join(', ')}, updated_at = now()`,
      COLUMNS.map((_, i) => rows.map((r) => r[i])),
    );
  }
  await saveRejections(pool, source, rejected);
  // A store rejected on one line and loaded from another is no cascade.
  for (const r of rows) rejectedStores.delete(r[0]);
  return {
    source,
    read: rows.length + rejected.length,
    loaded: rows.length,
    rejected: rejected.length,
    rejectedStores: [...rejectedStores],
  };
}

/** A local store.csv; its rejections are kept under import:<absolute path>. */
export const importStores = (pool: Pool, file: string): Promise<StoresImportSummary> =>
  importStoresFrom(pool, createReadStream(file), file, `import:${path.resolve(file)}`);
