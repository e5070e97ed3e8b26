// customerSegmentation end to end on the real stack: a generated Online Retail file in Postgres,
// the workflow through Temporal with a real worker (export to GCS and BigQuery, cleaning and
// features in SQL, k fits in worker threads, the registry, segments in Postgres and BigQuery),
// then a rerun, a run that is not promoted and one that is. Its own Postgres schema.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import {
  SEGMENTATION_MODEL,
  type SegmentationModelParams,
  type SegmentationOptions,
  type SegmentationReport,
} from '../../contracts/segmentation.ts';
import { cleanTransactions } from '../../ml/segmentation/cleaning.ts';
import { predictSegment } from '../../ml/segmentation/predict.ts';
import { readCustomerFeatures } from '../../platform/customerFeatures.ts';
import { segmentationRun } from '../../platform/runs.ts';
import { productionSegmentation } from '../../platform/segmentRegistry.ts';
import { connectClient } from '../../platform/temporal.ts';
import { importTransactions } from '../../platform/transactionImport.ts';
import { Warehouse } from '../../platform/warehouse.ts';
import { generateRetail, RETAIL_HEADER, retailCsvLine } from '../../scripts/data/onlineRetailGenerator.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { customerSegmentation } from '../../workflows/customerSegmentation.ts';
import { isolatedSchema, transactionsIn, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

const OPTIONS: Partial<SegmentationOptions> = { kMin: 2, kMax: 5, restarts: 3, promotionMargin: 0 };

describe('customerSegmentation on the real stack', () => {
  let isolated: IsolatedSchema;
  let client: Client;
  let taskQueue: string;
  const warehouse = new Warehouse(testConfig().bigquery);
  const run = (workflowId: string, options: Partial<SegmentationOptions>) =>
    withWorker(isolated.cfg, taskQueue, () =>
      client.workflow.execute(customerSegmentation, { taskQueue, workflowId, args: [options] }),
    );
  const versionRows = async (version: number) =>
    (
      await isolated.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM customer_segments WHERE model_version = $1',
        [version],
      )
    ).rows[0]!.n;
  const warehouseRows = async (version: number, runId: string) =>
    Number(
      (
        await warehouse.query<{ n: number }>(
          `SELECT COUNT(*) AS n FROM ${warehouse.table('customer_segments')} WHERE model_version = ${version} AND run_id = '${runId}'`,
        )
      )[0]!.n,
    );

  before(async () => {
    isolated = await isolatedSchema(testConfig());
    client = await connectClient(isolated.cfg.temporal);
    taskQueue = uniqueId('segmentation');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-segmentation-e2e-'));
    const lines = [RETAIL_HEADER];
    generateRetail({ seed: 21, customers: 300, rows: 12_000 }, (l) => lines.push(retailCsvLine(l, 'uci')));
    const file = path.join(dir, 'online_retail.csv');
    await writeFile(file, `${lines.join('\n')}\n`);
    await importTransactions(isolated.pool, file);
  });
  after(async () => {
    await client?.connection.close();
    await isolated?.drop();
  });

  let first: SegmentationReport;
  let firstParams: SegmentationModelParams;

  it('cleans and counts as the reference, fits every k, registers, promotes and writes every segment', async () => {
    const runId = uniqueId('segmentation-e2e');
    first = await run(runId, OPTIONS);
    const reference = cleanTransactions(await transactionsIn(isolated.pool));
    assert.deepEqual(first.snapshot.cleaning, reference.counts);
    assert.equal(first.snapshot.transactions, reference.counts.read);
    assert.deepEqual(
      first.byK.map((f) => f.k),
      [2, 3, 4, 5],
    );
    const best = first.byK.reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
    assert.equal(first.k, best.k);
    assert.equal(first.chosenBy, 'silhouette');
    assert.deepEqual(first.registration, {
      version: 1,
      promoted: true,
      reason: 'no production version yet',
      previous: null,
      changes: null,
    });

    const production = await productionSegmentation(isolated.pool);
    assert.equal(production?.version, 1);
    firstParams = production.params;
    assert.equal(firstParams.k, first.k);
    assert.equal(firstParams.snapshotDate, first.snapshot.snapshotDate);
    assert.equal(
      firstParams.profiles.reduce((n, p) => n + p.size, 0),
      first.snapshot.customers,
    );

    // Every customer's stored segment is what the registered model predicts from their features.
    const features = await readCustomerFeatures(isolated.pool, runId);
    assert.equal(features.length, first.snapshot.customers);
    const { rows: stored } = await isolated.pool.query<{ customer_id: string; segment: number }>(
      'SELECT customer_id, segment FROM customer_segments WHERE model_version = 1 ORDER BY customer_id COLLATE "C"',
    );
    assert.deepEqual(
      stored.map((r) => [r.customer_id, r.segment]),
      features.map((f) => [f.customerId, predictSegment(firstParams, f)]),
    );
    assert.equal(first.assigned, first.snapshot.customers);
    assert.equal(await warehouseRows(1, runId), first.snapshot.customers);

    const row = await segmentationRun(isolated.pool, runId);
    assert.equal(row?.status, 'done');
    assert.equal(row?.stage, 'done');
    assert.equal(row?.k, first.k);
    assert.equal(row?.model_version, 1);
    assert.deepEqual(row?.registration, first.registration);
    assert.deepEqual(
      row?.by_k?.map((f) => f.k),
      [2, 3, 4, 5],
    );
    assert.deepEqual(row?.counts, {
      transactions: reference.counts.read,
      cleaned: reference.counts.kept,
      customers: first.snapshot.customers,
      kTotal: 4,
      kDone: 4,
      assigned: first.snapshot.customers,
    });

    // A rerun of the same run id registers the same version again and adds nothing anywhere.
    const again = await run(runId, OPTIONS);
    assert.equal(again.registration.version, 1);
    assert.equal(again.k, first.k);
    assert.deepEqual(again.snapshot, first.snapshot);
    const { rows: versions } = await isolated.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM model_versions WHERE model = $1',
      [SEGMENTATION_MODEL],
    );
    assert.equal(versions[0]!.n, 1);
    assert.equal(await versionRows(1), first.snapshot.customers);
    assert.equal(await warehouseRows(1, runId), first.snapshot.customers);
  });

  it('keeps production when a run scores a lower silhouette, and reports how many customers would change', async () => {
    const worst = first.byK.reduce((a, b) => (b.silhouette < a.silhouette ? b : a));
    assert.ok(worst.silhouette < first.byK.find((f) => f.k === first.k)!.silhouette);
    const report = await run(uniqueId('segmentation-worse'), { ...OPTIONS, k: worst.k });
    assert.equal(report.k, worst.k);
    assert.equal(report.chosenBy, 'fixed');
    assert.equal(report.registration.version, 2);
    assert.equal(report.registration.promoted, false);
    assert.match(report.registration.reason, /lower than production's .* by more than 0$/);
    assert.deepEqual(report.registration.previous, {
      version: 1,
      silhouette: first.byK.find((f) => f.k === first.k)!.silhouette,
    });
    const changes = report.registration.changes!;
    assert.equal(changes.changed + changes.unchanged, first.snapshot.customers);
    assert.equal(changes.added + changes.removed, 0);
    assert.equal((await productionSegmentation(isolated.pool))?.version, 1);
    // Its segments are stored all the same, for comparing the versions.
    assert.equal(await versionRows(2), first.snapshot.customers);
  });

  it('promotes a run as good as production; the same fit moves no customer', async () => {
    const report = await run(uniqueId('segmentation-same'), OPTIONS);
    assert.equal(report.registration.version, 3);
    assert.equal(report.registration.promoted, true);
    assert.equal(report.registration.previous?.version, 1);
    assert.deepEqual(report.registration.changes, {
      match: Array.from({ length: first.k }, (_, i) => i),
      changed: 0,
      unchanged: first.snapshot.customers,
      added: 0,
      removed: 0,
    });
    assert.equal((await productionSegmentation(isolated.pool))?.version, 3);
  });
});
