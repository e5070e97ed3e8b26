// Moving sales from Postgres to GCS and on into BigQuery, as newline-delimited JSON. Shared by the
// daily ingest (one object per day) and the bulk importer (objects per month, one load job for
// them all). Deterministic object names and a range-replacing load make every step safe to repeat.
import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import type { RangeCounts } from '../contracts/imports.ts';
import { WAREHOUSE_TABLES } from '../db/warehouse-tables.ts';
import { invalidInput } from '../contracts/failures.ts';
import type { SaleRow } from '../domain/sales.ts';
import { ISO_DATE } from '../domain/dates.ts';
import type { DataDeps } from './deps.ts';
import { withClient } from './postgres.ts';

/** How a sales row that exists already is updated: the newest values win; `ingestedAt` is SQL (a bulk import keeps its own time). */
export const salesUpsertConflict = (
  ingestedAt = 'now()',
): string => `ON CONFLICT (store_id, product, date) DO UPDATE SET sales = EXCLUDED.sales,
  customers = EXCLUDED.customers, open = EXCLUDED.open, promo = EXCLUDED.promo, state_holiday = EXCLUDED.state_holiday,
  school_holiday = EXCLUDED.school_holiday, ingested_at = ${ingestedAt}`;
export const SALES_UPSERT_CONFLICT = salesUpsertConflict();

export const salesDayObject = (date: string): string => `exports/sales/date=${date}/sales.ndjson`;

/** A bulk import's object for new-date rows of one month (YYYY-MM) that one chunk streamed (a month the chunk met again gets part 1, ...). */
export const importChunkObject = (importId: string, month: string, chunk: number, part = 0): string =>
  `exports/sales/import=${importId}/month=${month}/chunk=${chunk}${part ? `-${part}` : ''}.ndjson`;
/** A bulk import's object for a month exported from Postgres: the month's rows within the import's date range. */
export const importMonthObject = (importId: string, month: string): string =>
  `exports/sales/import=${importId}/month=${month}/postgres.ndjson`;

/** A row as a line of an export object, as Postgres writes it below; product needs no escaping (validated to [\w.-]). */
export const salesJsonLine = (r: SaleRow, ingestedAt: string): string =>
  `{"store_id":${r.storeId},"product":"${r.product}","date":"${r.date}","sales":${r.sales},"customers":${r.customers},"open":${r.open},` +
  `"promo":${r.promo},"state_holiday":"${r.stateHoliday}","school_holiday":${r.schoolHoliday},"ingested_at":"${ingestedAt}"}\n`;

/**
 * COPY options that emit a one-column query's text values as they are, a line each: CSV format with
 * quote and delimiter bytes that JSON text never holds raw (it escapes control characters), so JSON
 * passes through unescaped (text format would double its backslashes).
 */
export const COPY_RAW_LINES = `WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;

/**
 * Streams the range's rows from Postgres into one object, replacing it; returns the row count.
 * Postgres renders each row as JSON and COPY streams it straight into the upload: no per-row work in
 * Node.
 */
export async function exportSales(
  { pool, store }: Pick<DataDeps, 'pool' | 'store'>,
  from: string,
  to: string,
  objectName: string,
): Promise<number> {
  // Inlined (COPY takes no parameters), so checked to be dates.
  for (const [field, d] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (!ISO_DATE.test(d)) throw invalidInput(field, `must be a date YYYY-MM-DD, got ${JSON.stringify(d)}`);
  return withClient(pool, async (client) => {
    const copy = client.query(
      copyTo(`COPY (SELECT json_build_object('store_id', store_id, 'product', product, 'date', date,
        'sales', sales, 'customers', customers, 'open', open, 'promo', promo, 'state_holiday', state_holiday,
        'school_holiday', school_holiday, 'ingested_at', to_char(ingested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
      FROM sales WHERE date BETWEEN '${from}' AND '${to}' ORDER BY date, store_id, product)
      TO STDOUT ${COPY_RAW_LINES}`),
    );
    // md5, not the default crc32c, which is computed in JavaScript (bench/README.md).
    await pipeline(
      copy,
      store
        .file(objectName)
        .createWriteStream({ resumable: false, validation: 'md5', contentType: 'application/x-ndjson' }),
    );
    return copy.rowCount;
  });
}

/** Replaces the range's partitions of the BigQuery sales table with exported objects (one load job). */
export async function loadSales(
  { store, warehouse }: Pick<DataDeps, 'store' | 'warehouse'>,
  from: string,
  to: string,
  objectNames: string[],
): Promise<void> {
  await warehouse.replaceDateRange(
    'sales',
    objectNames.map((n) => store.file(n)),
    WAREHOUSE_TABLES.sales.schema,
    'date',
    from,
    to,
  );
}

export type { RangeCounts };

/** The range's rows in Postgres and in BigQuery. */
export async function countSalesRows(
  { pool, warehouse }: Pick<DataDeps, 'pool' | 'warehouse'>,
  from: string,
  to: string,
): Promise<Omit<RangeCounts, 'gcs'>> {
  const [pg, bq] = await Promise.all([
    pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sales WHERE date BETWEEN $1 AND $2', [from, to]),
    warehouse.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ${warehouse.table('sales')} WHERE date BETWEEN DATE(@from) AND DATE(@to)`,
      { from, to },
    ),
  ]);
  return { postgres: pg.rows[0]?.n ?? 0, bigquery: Number(bq[0]?.n ?? 0) };
}

/** A day's rows in Postgres, in its exported object (counted by reading it back) and in BigQuery. */
export async function countSalesDay(deps: DataDeps, date: string): Promise<RangeCounts> {
  const [rows, object] = await Promise.all([countSalesRows(deps, date, date), deps.store.read(salesDayObject(date))]);
  let lines = 0;
  for (let i = object.indexOf(10); i !== -1; i = object.indexOf(10, i + 1)) lines++;
  return { ...rows, gcs: lines };
}
