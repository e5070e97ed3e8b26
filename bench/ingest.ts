// `npm run bench:ingest`: the bulk path and the daily path of sales ingest, on the bench stack.
//   bulk_import_in_process: generate Rossmann-size data (1,115 stores, 2013-01-01..2015-07-31)
//         and import the local files in this process (parse + validate + COPY, one GCS object per
//         month and chunk, one BigQuery load), as tests and demo data do
//   bulk_import_workflow: the same first import as a user runs it: upload both files to
//         the bucket, run the importSales workflow on a spawned ingest worker, until its result
//   bulk_reimport: the same files again through the workflow, which upserts every row
//   daily: 1,115 stores x 10 products of one day staged as events, then one dailyIngest run
// Rows/s per stage and end to end. The importer before it was a workflow is commit dbc098b's
// bench:ingest (bulk_import), run back to back with this one for a before/after (bench/README.md).
// One JSON line per result on stdout, all in bench/results/ingest.json.
import { once } from 'node:events';
import path from 'node:path';
import { closeDataDeps, createDataDeps } from '../platform/deps.ts';
import { dailyIngestWorkflowId, type IngestReport } from '../contracts/ingest.ts';
import { importWorkflowId, newImportId, type ImportSalesResult } from '../contracts/imports.ts';
import { loadConfig } from '../platform/config.ts';
import { provision } from '../platform/provision.ts';
import { stageSaleEvents } from '../platform/sales.ts';
import { importTrain } from '../platform/salesImport.ts';
import { importStores } from '../platform/storeImport.ts';
import { connectClient } from '../platform/temporal.ts';
import { generate } from '../scripts/data/generate.ts';
import { stackDown, stackUp, stackWipe } from '../scripts/stack/stack.ts';
import { dayOfEvents } from '../scripts/data/saleEvents.ts';
import type { importSales } from '../workflows/importSales.ts';
import { WORKER_NODE_FLAGS } from '../workers/nodeFlags.ts';
import { BENCH_ENV } from './profile.ts';
import { startProcess } from './processes.ts';
import { benchResults } from './results.ts';

Object.assign(process.env, BENCH_ENV);
const cfg = loadConfig();
const { report, save } = benchResults('ingest');
const perSecond = (rows: number, s: number) => Math.round(rows / s);
const seconds = (from: number, to = performance.now()) => Number(((to - from) / 1000).toFixed(2));
const TARGET_ROWS_PER_S = 100_000;

try {
  await stackWipe(cfg);
  await stackUp(cfg);
  await provision(cfg);
  const deps = createDataDeps(cfg, 'retailflow-bench');
  const dir = path.join(cfg.stack.dataDir, 'generated');
  const client = await connectClient(cfg.temporal);
  // The worker a user runs (npm run worker), in its own process: its CPU is not this one's.
  const worker = startProcess('workers/ingest.ts', WORKER_NODE_FLAGS);
  try {
    const t0 = performance.now();
    generate(['--out', dir]);
    const generateS = seconds(t0);
    const storesFile = path.join(dir, 'store.csv');
    const trainFile = path.join(dir, 'train.csv');

    // Before: the in-process import of the local files.
    const tBefore = performance.now();
    await importStores(deps.pool, storesFile);
    const bulk = await importTrain(deps, trainFile);
    const beforeS = seconds(tBefore);
    report({
      name: 'bulk_import_in_process',
      note: 'the importer called in this process on the local files, no upload and no worker (every date new: rows COPYed straight into sales)',
      rows: bulk.read,
      loaded: bulk.loaded,
      upserted: bulk.upserted,
      rejected: bulk.rejected,
      months: bulk.months,
      chunks: bulk.chunks,
      counts: bulk.counts,
      seconds: { generate: generateS, ...bulk.seconds, end_to_end: beforeS },
      rows_per_s: {
        parse_validate_copy: perSecond(bulk.read, bulk.seconds.parseAndCopy),
        gcs_and_bigquery: perSecond(bulk.loaded, bulk.seconds.warehouse),
        end_to_end: perSecond(bulk.read, beforeS),
      },
      target_rows_per_s: TARGET_ROWS_PER_S,
    });

    // The worker is polling before the clock starts: its start-up is not the import's.
    const queue = cfg.temporal.taskQueues.ingest;
    for (
      let i = 0;
      !(
        await client.workflowService.describeTaskQueue({
          namespace: cfg.temporal.namespace,
          taskQueue: { name: queue },
        })
      ).pollers?.length;
      i++
    ) {
      if (i > 600) throw new Error('the ingest worker never polled');
      await new Promise((r) => setTimeout(r, 100));
    }
    const viaWorkflow = async (name: string, note: string) => {
      const t = performance.now();
      const id = newImportId();
      const [storesUri, trainUri] = await Promise.all([
        deps.store.upload(storesFile, `imports/${id}/store.csv`),
        deps.store.upload(trainFile, `imports/${id}/train.csv`),
      ]);
      const uploadS = seconds(t);
      const tWorkflow = performance.now();
      const result = await client.workflow.execute<typeof importSales>('importSales', {
        workflowId: importWorkflowId(id),
        taskQueue: queue,
        args: [{ storesUri, trainUri }],
      });
      const totalS = seconds(t);
      const sales = result.sales!;
      const { rows: chunks } = await deps.pool.query<{ ms: { parseAndCopy: number; upsert: number } }>(
        `SELECT summary->'ms' AS ms FROM sales_import_chunks WHERE import_id = $1`,
        [result.importId],
      );
      const chunkS = (k: 'parseAndCopy' | 'upsert') =>
        Number((chunks.reduce((a, c) => a + c.ms[k], 0) / 1000).toFixed(2));
      report({
        name,
        note,
        workflowId: result.importId,
        rows: sales.read,
        loaded: sales.loaded,
        upserted: sales.upserted,
        rejected: sales.rejected,
        months: sales.months,
        chunks: sales.chunks,
        counts: sales.counts,
        seconds: {
          upload: uploadS,
          workflow: seconds(tWorkflow),
          chunks_parse_and_copy: chunkS('parseAndCopy'),
          chunks_upsert: chunkS('upsert'),
          end_to_end: totalS,
        },
        rows_per_s: { end_to_end: perSecond(sales.read, totalS) },
        target_rows_per_s: TARGET_ROWS_PER_S,
      });
      return result satisfies ImportSalesResult;
    };
    // After: the same first import (the table emptied again) as a user runs it.
    await deps.pool.query('TRUNCATE sales, rejected_rows');
    await viaWorkflow(
      'bulk_import_workflow',
      'first import as npm run data -- import runs it: upload to GCS, importSales on a spawned worker, until its result',
    );
    await viaWorkflow(
      'bulk_reimport',
      'the same files again through the workflow: every date exists, so every row goes through the upsert',
    );

    // One day after the history: 1,115 stores x 10 products, staged as the API stages them.
    const date = '2015-08-01';
    const stores = Array.from({ length: 1115 }, (_, i) => i + 1);
    const products = Array.from({ length: 10 }, (_, i) => `p${String(i + 1).padStart(2, '0')}`);
    const events = dayOfEvents(date, products, stores);
    await stageSaleEvents(
      deps.pool,
      events.map((payload) => ({ date, payload })),
      'bench',
    );
    await client.workflow.execute('dailyIngest', {
      workflowId: 'bench-warmup',
      taskQueue: queue,
      args: [{ date: '2015-08-02' }],
    });
    const t = performance.now();
    const run = (await client.workflow.execute('dailyIngest', {
      workflowId: dailyIngestWorkflowId(date),
      taskQueue: queue,
      args: [{ date }],
    })) as IngestReport;
    const runS = seconds(t);
    report({
      name: 'daily_run',
      rows: events.length,
      counts: run.counts,
      seconds: runS,
      stage_ms: run.durationsMs,
      rows_per_s: perSecond(events.length, runS),
      target_seconds: 2,
    });
    report({
      name: 'peak_rss_mib',
      value: Math.round(process.resourceUsage().maxRSS / 1024),
      note: 'this process: generator and the in-process import (the worker runs apart)',
    });
  } finally {
    worker.kill('SIGTERM');
    if (worker.exitCode === null) await once(worker, 'exit');
    await client.connection.close();
    await closeDataDeps(deps);
  }
} finally {
  await stackDown(cfg);
}
await save();
