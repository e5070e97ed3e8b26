// The segmentation's warehouse side on the real stack: a generated Online Retail file with known
// dirt (and hand-written lines for the dirt it lacks) loaded by the transactions importer, exported
// to GCS and BigQuery, cleaned and turned into features in BigQuery SQL, and checked against the
// TypeScript reference (ml/segmentation) on the same rows. The export reads every transaction, so
// this file's Postgres tables live in a schema of its own (test/helpers/segmentationSchema.ts).
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanTransactions, iqrBounds, type RetailTransaction } from '../../ml/segmentation/cleaning.ts';
import { customerFeatures, type CustomerFeatures } from '../../ml/segmentation/features.ts';
import { copyCustomerFeatures, readCustomerFeatures } from '../../platform/customerFeatures.ts';
import type { DataDeps } from '../../platform/deps.ts';
import type { Pool } from '../../platform/postgres.ts';
import {
  buildCustomerFeatures,
  exportSegmentsToWarehouse,
  exportTransactionsSnapshot,
  iqrBoundsSql,
  segmentationTable,
} from '../../platform/segmentationWarehouse.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { importTransactions } from '../../platform/transactionImport.ts';
import { Warehouse } from '../../platform/warehouse.ts';
import { generateRetail, RETAIL_HEADER, retailCsvLine, retailDirt } from '../../scripts/data/onlineRetailGenerator.ts';
import { isolatedSchema, transactionsIn, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

const ROWS = 6000;
// Dirt the generator does not make, each kind once or twice: a customer's line with quantity 0, a
// negative quantity that is no cancellation, a zero and a negative price, an invoice with C inside
// its number, exact duplicates with a blank description and with quoted commas; and two lines
// either side of the asOf test's midnight.
const EXTRA = [
  '581587,22726,ALARM CLOCK,0,12/9/2011 10:00,3.75,12680,France',
  '581588,22727,DAMAGED,-3,12/9/2011 10:01,1.25,12680,France',
  '581589,22728,FREE GIFT,2,12/9/2011 10:02,0,12680,France',
  '581590,B,Adjust,1,12/9/2011 10:03,-5.5,12680,France',
  '58C1591,22729,ODD INVOICE,1,12/9/2011 10:04,2.1,12680,France',
  '581592,22730,,4,12/9/2011 10:05,2.1,12680,France',
  '581592,22730,,4,12/9/2011 10:05,2.1,12680,France',
  '581593,22731,"SET OF 2, ""RED""",4,12/9/2011 10:06,2.1,12680,France',
  '581593,22731,"SET OF 2, ""RED""",4,12/9/2011 10:06,2.1,12680,France',
  '560001,22732,LAST MINUTE,2,6/30/2011 23:59,1.65,12680,France',
  '560001,22732,LAST MINUTE,2,7/1/2011 0:00,1.65,12680,France',
];
const EXTRA_DIRT = { nonPositiveQuantity: 2, nonPositivePrice: 2, cancelled: 1, duplicates: 2 };
const AS_OF = '2011-06-30';

/** Naive summation of positive terms is within (n - 1) eps of the exact sum, the reference's Kahan sum within 2 eps. */
const monetaryTolerance = (lines: number, monetary: number) => (lines + 2) * Number.EPSILON * Math.abs(monetary);

describe('segmentation warehouse: snapshot, cleaning and features in BigQuery', () => {
  const cfg = testConfig();
  let isolated: IsolatedSchema;
  let pool: Pool;
  let deps: DataDeps;
  let reference: RetailTransaction[];

  before(async () => {
    isolated = await isolatedSchema(cfg);
    pool = isolated.pool;
    deps = { pool, store: new ObjectStore(cfg.gcs), warehouse: new Warehouse(cfg.bigquery) };

    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-segmentation-'));
    const lines: string[] = [RETAIL_HEADER];
    generateRetail({ seed: 13, customers: 150, rows: ROWS }, (l) => lines.push(retailCsvLine(l, 'uci')));
    const file = path.join(dir, 'online_retail.csv');
    await writeFile(file, [...lines, ...EXTRA, ''].join('\n'));
    assert.deepEqual(await importTransactions(pool, file), {
      files: 1,
      read: ROWS + EXTRA.length,
      loaded: ROWS + EXTRA.length,
      written: ROWS + EXTRA.length,
      rejected: 0,
    });
    reference = await transactionsIn(pool);
  });
  after(async () => {
    await isolated?.drop();
  });

  const warehouseCount = async (table: string) =>
    Number(
      (await deps.warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${deps.warehouse.table(table)}`))[0]!.n,
    );

  /** The SQL features against customerFeatures() on the reference's cleaned rows, customer by customer. */
  function assertSameFeatures(sql: CustomerFeatures[], transactions: RetailTransaction[], snapshot?: number) {
    const cleaned = cleanTransactions(transactions).rows;
    const expected = customerFeatures(cleaned, snapshot);
    const lines = new Map<string, number>();
    for (const r of cleaned) lines.set(r.customerId, (lines.get(r.customerId) ?? 0) + 1);
    assert.deepEqual(
      sql.map((f) => f.customerId),
      expected.map((f) => f.customerId),
    );
    expected.forEach((e, i) => {
      const { monetary, ...integers } = sql[i]!;
      assert.deepEqual(integers, omitMonetary(e));
      const tolerance = monetaryTolerance(lines.get(e.customerId)!, e.monetary);
      assert.ok(
        Math.abs(monetary - e.monetary) <= tolerance,
        `customer ${e.customerId}: monetary ${monetary}, reference ${e.monetary} (tolerance ${tolerance})`,
      );
    });
  }

  it('counts what each cleaning step removes as the reference does, and gives its features for every customer', async () => {
    const runId = uniqueId('segmentation-all');
    assert.equal(await exportTransactionsSnapshot(deps, runId), ROWS + EXTRA.length);
    const snapshot = await buildCustomerFeatures(deps, runId);

    const expected = cleanTransactions(reference);
    assert.deepEqual(snapshot.cleaning, expected.counts);
    // The generator's stated dirt, plus the hand-written lines'.
    const dirt = retailDirt(ROWS);
    assert.equal(snapshot.cleaning.blankCustomer, dirt.blankCustomer);
    assert.equal(snapshot.cleaning.cancelled, dirt.cancellation + EXTRA_DIRT.cancelled);
    assert.equal(snapshot.cleaning.nonPositiveQuantity, EXTRA_DIRT.nonPositiveQuantity);
    assert.equal(snapshot.cleaning.nonPositivePrice, EXTRA_DIRT.nonPositivePrice);
    assert.equal(snapshot.cleaning.duplicates, dirt.duplicate + EXTRA_DIRT.duplicates);
    assert.ok(snapshot.cleaning.quantityOutliers > 0 && snapshot.cleaning.priceOutliers > 0);

    const features = customerFeatures(expected.rows);
    assert.equal(snapshot.transactions, ROWS + EXTRA.length);
    assert.equal(snapshot.customers, features.length);
    assert.equal(snapshot.snapshotDate, dateTime(Math.max(...expected.rows.map((r) => r.invoiceDate))));

    assert.equal(await copyCustomerFeatures(deps, runId), features.length);
    const sql = await readCustomerFeatures(pool, runId);
    assertSameFeatures(sql, reference);

    // A rerun of the same run: the same counts, tables and rows, nothing doubled.
    assert.equal(await exportTransactionsSnapshot(deps, runId), ROWS + EXTRA.length);
    assert.deepEqual(await buildCustomerFeatures(deps, runId), snapshot);
    assert.equal(await copyCustomerFeatures(deps, runId), features.length);
    assert.deepEqual(await readCustomerFeatures(pool, runId), sql);
    assert.equal(await warehouseCount(segmentationTable('transactions', runId)), ROWS + EXTRA.length);
    assert.equal(await warehouseCount(segmentationTable('features', runId)), features.length);
    const [objects] = await deps.store.client
      .bucket(deps.store.bucketName)
      .getFiles({ prefix: `segmentation/${runId}/` });
    assert.deepEqual(
      objects.map((o) => o.name),
      [`segmentation/${runId}/transactions.ndjson.gz`],
    );
  });

  it('asOf exports only the transactions invoiced up to the end of that day', async () => {
    const runId = uniqueId('segmentation-asof');
    const end = Date.parse(`${AS_OF}T00:00:00Z`) + 86_400_000;
    const until = reference.filter((r) => r.invoiceDate < end);
    // The last minute of the day is in, the first of the next is out.
    assert.deepEqual(
      reference.filter((r) => r.invoiceNo === '560001').map((r) => r.invoiceDate),
      [end - 60_000, end],
    );
    assert.ok(until.length > 0 && until.length < reference.length);

    assert.equal(await exportTransactionsSnapshot(deps, runId, { asOf: AS_OF }), until.length);
    const snapshot = await buildCustomerFeatures(deps, runId);
    assert.deepEqual(snapshot.cleaning, cleanTransactions(until).counts);
    assert.ok(snapshot.snapshotDate <= `${AS_OF} 23:59:59`, snapshot.snapshotDate);
    await copyCustomerFeatures(deps, runId);
    assertSameFeatures(await readCustomerFeatures(pool, runId), until);
    // Given asOf, recency counts from its end.
    const asOfSnapshot = await buildCustomerFeatures(deps, runId, AS_OF);
    assert.equal(asOfSnapshot.snapshotDate, '2011-07-01 00:00:00');
    assert.deepEqual(asOfSnapshot.cleaning, snapshot.cleaning);
    await copyCustomerFeatures(deps, runId);
    assertSameFeatures(await readCustomerFeatures(pool, runId), until, end);
    // From the first minute of the next day on: the rest, none twice.
    const next = '2011-07-01';
    assert.equal(
      await exportTransactionsSnapshot(deps, uniqueId('segmentation-from'), { from: next }),
      reference.length - until.length,
    );
    const dayAfter = reference.filter((r) => r.invoiceDate >= end && r.invoiceDate < end + 86_400_000);
    assert.ok(dayAfter.length >= 1);
    assert.equal(
      await exportTransactionsSnapshot(deps, uniqueId('segmentation-day'), { from: next, asOf: next }),
      dayAfter.length,
    );
  });

  it('a snapshot with no customer left after cleaning fails clearly, naming the counts', async () => {
    const runId = uniqueId('segmentation-empty');
    assert.equal(await exportTransactionsSnapshot(deps, runId, { asOf: '2009-12-31' }), 0);
    await assert.rejects(
      buildCustomerFeatures(deps, runId),
      /transactions: no customer's transaction is left .*"read":0/,
    );
  });

  it('refuses a bad asOf or run id, naming it', async () => {
    await assert.rejects(
      exportTransactionsSnapshot(deps, uniqueId('segmentation'), { asOf: '2011-02-30' }),
      /asOf: .*2011-02-30/,
    );
    await assert.rejects(exportTransactionsSnapshot(deps, 'segmentation/../x'), /runId: .*segmentation\/\.\.\/x/);
  });

  it('computes the IQR bounds as the reference does, to the bit, where PERCENTILE_CONT does not', async () => {
    const cases = [[1.52, 2.32, 3.9, 9.26], [0.64, 6.71], [3.19, 7.27, 7.73], [7], [0.1, 0.2, 0.3, 0.4, 0.5]];
    for (const values of cases) {
      const [row] = await deps.warehouse.query<{ lo: number; hi: number; q1: number }>(
        `SELECT lo, hi, (SELECT DISTINCT PERCENTILE_CONT(v, 0.25) OVER () FROM UNNEST([${values.join(', ')}]) AS v) AS q1
         FROM ${iqrBoundsSql('v', `(SELECT v FROM UNNEST([${values.join(', ')}]) AS v)`)}`,
      );
      const bounds = iqrBounds(values)!;
      assert.deepEqual([row!.lo, row!.hi], [bounds.lower, bounds.upper], `bounds of [${values.join(', ')}]`);
      if (values[0] === 1.52) assert.notEqual(row!.q1, bounds.q1, 'PERCENTILE_CONT now rounds as numpy does');
    }
  });

  it('writes a version’s segments to BigQuery, replacing that version’s rows only', async () => {
    const version = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
    const segmentsIn = async (v: number) =>
      (
        await deps.warehouse.query<{ customer_id: string; segment: number; run_id: string }>(
          `SELECT customer_id, segment, run_id FROM ${deps.warehouse.table('customer_segments')}
           WHERE model_version = @v ORDER BY customer_id`,
          { v },
        )
      ).map((r) => [r.customer_id, Number(r.segment), r.run_id]);
    const write = async (v: number, rows: [string, number][]) => {
      await pool.query('DELETE FROM customer_segments WHERE model_version = $1', [v]);
      for (const [customer, segment] of rows)
        await pool.query(
          'INSERT INTO customer_segments (model_version, customer_id, segment, run_id) VALUES ($1, $2, $3, $4)',
          [v, customer, segment, `run-${v}`],
        );
    };
    await write(version, [
      ['12346', 0],
      ['12347', 1],
      ['17850', 2],
    ]);
    await write(version + 1, [['12346', 4]]);
    assert.equal(await exportSegmentsToWarehouse(deps, version + 1), 1);
    assert.equal(await exportSegmentsToWarehouse(deps, version), 3);
    assert.equal(await exportSegmentsToWarehouse(deps, version), 3);
    const run = `run-${version}`;
    assert.deepEqual(await segmentsIn(version), [
      ['12346', 0, run],
      ['12347', 1, run],
      ['17850', 2, run],
    ]);

    await write(version, [
      ['12347', 3],
      ['99999', 0],
    ]);
    assert.equal(await exportSegmentsToWarehouse(deps, version), 2);
    assert.deepEqual(await segmentsIn(version), [
      ['12347', 3, run],
      ['99999', 0, run],
    ]);
    assert.deepEqual(await segmentsIn(version + 1), [['12346', 4, `run-${version + 1}`]]);
    await assert.rejects(exportSegmentsToWarehouse(deps, 0), /modelVersion: .*0/);
  });
});

const omitMonetary = ({ monetary: _, ...rest }: CustomerFeatures) => rest;

/** Epoch ms of a wall-clock time as 'YYYY-MM-DD HH:MM:SS'. */
const dateTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** The transactions as the reference takes them, in file order (the order pandas sums in). */
