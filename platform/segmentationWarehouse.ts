// The customer segmentation's warehouse side: a run's transactions from Postgres through GCS into
// BigQuery, the seed's cleaning and the RFMT features in BigQuery SQL, and every customer's
// segment back into the warehouse. Each run's tables are named for the run and replaced whole, and
// segments are replaced per model version, so a retry or a rerun never doubles a row.
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { to as copyTo } from 'pg-copy-streams';
import { invalidInput } from '../contracts/failures.ts';
import type { CleaningCounts, SegmentationSnapshot, TransactionWindow } from '../contracts/segmentation.ts';
import { TRANSACTIONS_SNAPSHOT_SCHEMA, WAREHOUSE_TABLES } from '../db/warehouse-tables.ts';
import { addDays, isCalendarDate } from '../domain/dates.ts';
import type { DataDeps } from './deps.ts';
import { withClient } from './postgres.ts';
import { COPY_RAW_LINES } from './salesWarehouse.ts';

/** A run's tables: its snapshot of the transactions, its deduplicated rows with their outlier flags, its features. */
export type SegmentationTable = 'transactions' | 'cleaned' | 'features';

const RUN_ID = /^[\w.:-]{1,200}$/;
const SNAPSHOT_COLUMNS = TRANSACTIONS_SNAPSHOT_SCHEMA.map((c) => c.name).join(', ');

function checkRunId(runId: string): void {
  if (!RUN_ID.test(runId))
    throw invalidInput('runId', `must be 1-200 letters, digits, _ . : or -, got ${JSON.stringify(runId)}`);
}

/**
 * A run's BigQuery table. Table names take only letters, digits and underscores: the run id is
 * folded into them, and a hash of it keeps two ids that fold alike ('a-b', 'a_b') apart.
 */
export function segmentationTable(kind: SegmentationTable, runId: string): string {
  checkRunId(runId);
  const folded = runId.toLowerCase().replace(/\W+/g, '_');
  const hash = createHash('sha256').update(runId).digest('hex').slice(0, 8);
  return `segmentation_${kind}_${folded}_${hash}`;
}

/** Where a run's export of the transactions goes. */
export const snapshotObject = (runId: string): string => {
  checkRunId(runId);
  return `segmentation/${runId}/transactions.ndjson.gz`;
};

/** Where a model version's segments go on their way to BigQuery. */
export const segmentsObject = (modelVersion: number): string =>
  `segmentation/segments/version=${modelVersion}/customer_segments.ndjson.gz`;

/**
 * Streams a query's rows from Postgres as gzipped newline-delimited JSON into one object,
 * replacing it; returns the row count. Postgres renders the JSON (row_to_json: its timestamps
 * ISO 8601 whatever DateStyle says, numerics as written) and COPY streams it: no per-row work in
 * Node. Gzip level 1: 541,909 transactions take 10 MB instead of 106, and end to end it is faster than plain.
 */
export async function exportNdjson(
  { pool, store }: Pick<DataDeps, 'pool' | 'store'>,
  query: string,
  objectName: string,
) {
  return withClient(pool, async (client) => {
    const copy = client.query(copyTo(`COPY (SELECT row_to_json(r) FROM (${query}) r) TO STDOUT ${COPY_RAW_LINES}`));
    // md5, not the default crc32c, which is computed in JavaScript (bench/README.md).
    await pipeline(
      copy,
      createGzip({ level: 1 }),
      store
        .file(objectName)
        .createWriteStream({ resumable: false, validation: 'md5', contentType: 'application/gzip' }),
    );
    return copy.rowCount;
  });
}

/**
 * Exports the transactions invoiced within the window's days (from the start of `from` to the end
 * of `asOf`, each optional) from Postgres to GCS and loads them into the run's snapshot table,
 * replacing it; returns the count.
 */
export async function exportTransactionsSnapshot(
  deps: DataDeps,
  runId: string,
  { from, asOf }: TransactionWindow = {},
): Promise<number> {
  const table = segmentationTable('transactions', runId);
  // Inlined (COPY takes no parameters), so checked to be days.
  for (const [field, day] of [
    ['from', from],
    ['asOf', asOf],
  ] as const)
    if (day !== undefined && !isCalendarDate(day))
      throw invalidInput(field, `must be a date YYYY-MM-DD, got ${JSON.stringify(day)}`);
  const conditions = [
    ...(from ? [`invoice_date >= DATE '${from}'`] : []),
    ...(asOf ? [`invoice_date < DATE '${asOf}' + 1`] : []),
  ];
  const objectName = snapshotObject(runId);
  const exported = await exportNdjson(
    deps,
    `SELECT ${SNAPSHOT_COLUMNS} FROM transactions ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}`,
    objectName,
  );
  const loaded = await deps.warehouse.loadReplacing(table, deps.store.file(objectName), TRANSACTIONS_SNAPSHOT_SCHEMA);
  if (loaded !== exported)
    throw new Error(`snapshot of run ${runId}: exported ${exported} transactions, BigQuery loaded ${loaded}`);
  return exported;
}

/**
 * The [Q1 - 1.5 IQR, Q3 + 1.5 IQR] bounds of `column` over the rows of `from`, as one row (lo, hi).
 * Quartiles as numpy's linear method writes them (ml/segmentation/quantile.ts): the values at
 * index (n - 1) q and the next, interpolated from the upper one past the middle. PERCENTILE_CONT
 * is linear too, but rounds otherwise: under the emulator (DuckDB's quantile_cont) it gives
 * Q1 = 2.1199999999999997 for [1.52, 2.32, 3.9, 9.26], numpy 2.12, and a bound one bit off keeps
 * or drops the rows priced exactly at it (with prices in cents, bounds often fall on one).
 */
export function iqrBoundsSql(column: string, from: string): string {
  const quartile = (q: 'q1' | 'q3') =>
    `IF(${q}_t >= 0.5, ${q}_b - (${q}_b - ${q}_a) * (1 - ${q}_t), ${q}_a + (${q}_b - ${q}_a) * ${q}_t)`;
  const pick = (q: 'q1' | 'q3') =>
    `MAX(IF(i = ${q}_i, v, NULL)) AS ${q}_a, MAX(IF(i = LEAST(${q}_i + 1, n - 1), v, NULL)) AS ${q}_b, ANY_VALUE(${q}_t) AS ${q}_t`;
  const position = (q: 'q1' | 'q3', p: number) =>
    `FLOOR((n - 1) * ${p}) AS ${q}_i, (n - 1) * ${p} - FLOOR((n - 1) * ${p}) AS ${q}_t`;
  return `(SELECT q1 - 1.5 * (q3 - q1) AS lo, q3 + 1.5 * (q3 - q1) AS hi
    FROM (SELECT ${quartile('q1')} AS q1, ${quartile('q3')} AS q3
      FROM (SELECT ${pick('q1')}, ${pick('q3')}
        FROM (SELECT v, i, n, ${position('q1', 0.25)}, ${position('q3', 0.75)}
          FROM (SELECT CAST(${column} AS FLOAT64) AS v, ROW_NUMBER() OVER (ORDER BY ${column}) - 1 AS i, COUNT(*) OVER () AS n
            FROM ${from})))))`;
}

/**
 * The seed's cleaning and the RFMT features of a run's snapshot, in BigQuery: the run's cleaned
 * table holds every row that passed the row filters once (exact duplicates counted in `copies`)
 * with the outlier test it failed, if any; its features table one row per customer. Both are
 * replaced, so a rerun gives the same tables and counts.
 */
export async function buildCustomerFeatures(
  { warehouse }: Pick<DataDeps, 'warehouse'>,
  runId: string,
  asOf?: string,
): Promise<SegmentationSnapshot> {
  // Recency counts from the end of asOf when the run has one (a monthly run measures how long
  // ago each customer bought as of the month's end), else from the latest cleaned invoice, as the seed.
  if (asOf !== undefined && !isCalendarDate(asOf))
    throw invalidInput('asOf', `must be a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
  // An aggregate either way: one row, and NULL when no row is left.
  const snapshotAt = `MAX(${asOf ? `DATETIME '${addDays(asOf, 1)} 00:00:00'` : 'invoice_date'})`;
  const snapshot = warehouse.table(segmentationTable('transactions', runId));
  const cleaned = warehouse.table(segmentationTable('cleaned', runId));
  const features = warehouse.table(segmentationTable('features', runId));
  // The seed's order: blank customers, invoices containing C, quantity > 0, unit price > 0, exact
  // duplicates (the grouping: all eight columns, a missing description equal to another), then
  // quantity outliers and, among the rows left, unit price outliers (bounds inclusive).
  await warehouse.query(`CREATE OR REPLACE TABLE ${cleaned} AS
    WITH passed AS (
      SELECT ${SNAPSHOT_COLUMNS}, COUNT(*) AS copies FROM ${snapshot}
      WHERE customer_id IS NOT NULL AND STRPOS(invoice_no, 'C') = 0 AND quantity > 0 AND unit_price > 0
      GROUP BY ${SNAPSHOT_COLUMNS}),
    quantity_bounds AS ${iqrBoundsSql('quantity', 'passed')},
    quantity_kept AS (
      SELECT passed.* FROM passed CROSS JOIN quantity_bounds b WHERE quantity BETWEEN b.lo AND b.hi),
    price_bounds AS ${iqrBoundsSql('unit_price', 'quantity_kept')}
    SELECT passed.*,
      CASE WHEN NOT quantity BETWEEN q.lo AND q.hi THEN 'quantity'
           WHEN NOT unit_price BETWEEN p.lo AND p.hi THEN 'price' END AS outlier
    FROM passed CROSS JOIN quantity_bounds q CROSS JOIN price_bounds p`);
  // Days are whole days rounded down (pandas' Timedelta.days): seconds apart, divided by 86,400.
  // Monetary is summed in NUMERIC, exactly, then rounded once: a FLOAT64 sum's last bits follow
  // the engine's order of rows, which the emulator does not fix, so a rerun gave other features.
  await warehouse.query(`CREATE OR REPLACE TABLE ${features} AS
    WITH kept AS (SELECT * FROM ${cleaned} WHERE outlier IS NULL),
    snapshot AS (SELECT ${snapshotAt} AS at FROM kept),
    customers AS (
      SELECT CAST(customer_id AS STRING) AS customer_id, MIN(invoice_date) AS first, MAX(invoice_date) AS last,
        COUNT(DISTINCT invoice_no) AS frequency, CAST(SUM(CAST(quantity AS NUMERIC) * CAST(unit_price AS NUMERIC)) AS FLOAT64) AS monetary
      FROM kept GROUP BY customer_id)
    SELECT customer_id, DIV(DATETIME_DIFF(snapshot.at, last, SECOND), 86400) AS recency, frequency, monetary,
      DIV(DATETIME_DIFF(last, first, SECOND), 86400) AS tenure,
      DIV(DATETIME_DIFF(last, first, SECOND), 86400) / frequency AS interpurchase_time
    FROM customers CROSS JOIN snapshot`);
  const [row] = await warehouse.query<
    Record<
      | 'read'
      | 'blank_customer'
      | 'cancelled'
      | 'non_positive_quantity'
      | 'non_positive_price'
      | 'duplicates'
      | 'quantity_outliers'
      | 'price_outliers'
      | 'kept'
      | 'customers',
      number
    > & { snapshot_date: string | null }
  >(
    `SELECT
      (SELECT COUNT(*) FROM ${snapshot}) AS read,
      (SELECT COUNTIF(customer_id IS NULL) FROM ${snapshot}) AS blank_customer,
      (SELECT COUNTIF(customer_id IS NOT NULL AND STRPOS(invoice_no, 'C') > 0) FROM ${snapshot}) AS cancelled,
      (SELECT COUNTIF(customer_id IS NOT NULL AND STRPOS(invoice_no, 'C') = 0 AND quantity <= 0) FROM ${snapshot}) AS non_positive_quantity,
      (SELECT COUNTIF(customer_id IS NOT NULL AND STRPOS(invoice_no, 'C') = 0 AND quantity > 0 AND unit_price <= 0) FROM ${snapshot}) AS non_positive_price,
      (SELECT IFNULL(SUM(copies), 0) - COUNT(*) FROM ${cleaned}) AS duplicates,
      (SELECT COUNTIF(outlier = 'quantity') FROM ${cleaned}) AS quantity_outliers,
      (SELECT COUNTIF(outlier = 'price') FROM ${cleaned}) AS price_outliers,
      (SELECT COUNTIF(outlier IS NULL) FROM ${cleaned}) AS kept,
      (SELECT FORMAT_DATETIME('%Y-%m-%d %H:%M:%S', ${snapshotAt}) FROM ${cleaned} WHERE outlier IS NULL) AS snapshot_date,
      (SELECT COUNT(*) FROM ${features}) AS customers`,
  );
  if (!row) throw new Error(`cleaning of run ${runId}: the counts query returned no row`);
  const cleaning: CleaningCounts = {
    read: Number(row.read),
    blankCustomer: Number(row.blank_customer),
    cancelled: Number(row.cancelled),
    nonPositiveQuantity: Number(row.non_positive_quantity),
    nonPositivePrice: Number(row.non_positive_price),
    duplicates: Number(row.duplicates),
    quantityOutliers: Number(row.quantity_outliers),
    priceOutliers: Number(row.price_outliers),
    kept: Number(row.kept),
  };
  if (row.snapshot_date === null)
    throw invalidInput(
      'transactions',
      `no customer's transaction is left after cleaning the run's snapshot (${JSON.stringify(cleaning)})`,
    );
  return { transactions: cleaning.read, cleaning, snapshotDate: row.snapshot_date, customers: Number(row.customers) };
}

/**
 * Writes a model version's segments (Postgres's customer_segments) into BigQuery's, replacing the
 * version's rows there; returns how many.
 */
export async function exportSegmentsToWarehouse(deps: DataDeps, modelVersion: number): Promise<number> {
  // Inlined (COPY takes no parameters), so checked to be a whole number.
  if (!Number.isSafeInteger(modelVersion) || modelVersion < 1)
    throw invalidInput('modelVersion', `must be a whole number >= 1, got ${modelVersion}`);
  const objectName = segmentsObject(modelVersion);
  const exported = await exportNdjson(
    deps,
    `SELECT model_version, customer_id, segment, run_id FROM customer_segments WHERE model_version = ${modelVersion}`,
    objectName,
  );
  await deps.warehouse.replaceRowsOf(
    'customer_segments',
    [deps.store.file(objectName)],
    WAREHOUSE_TABLES.customer_segments.schema,
    'model_version',
    modelVersion,
  );
  return exported;
}
