// `npm run bench:segmentation [-- --duration 10]`: customer segmentation on its own stack, with
// 541,909 generated Online Retail lines (the real file's size and dirt), the workers and the API
// in their own processes as in production.
//   import:   the file through the importTransactions workflow (ingest worker): rows/s
//   workflow: customerSegmentation end to end with the defaults (export, load, cleaning and
//             features in BigQuery, k = 2..10 x 10 restarts in worker threads, registry,
//             segments to Postgres and BigQuery): seconds, seconds per step, the worker's peak RSS
//   predict:  the seed's POST /predict, one customer of 3 transactions, under autocannon (as
//             bench:api): req/s, p50/p99, and the API's peak RSS
// One JSON line per result on stdout, all of them in bench/results/segmentation.json.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type { SegmentationReport } from '../contracts/segmentation.ts';
import type { ImportTransactionsResult } from '../contracts/transactionImports.ts';
import { loadConfig } from '../platform/config.ts';
import { closeDataDeps, createDataDeps } from '../platform/deps.ts';
import { provision } from '../platform/provision.ts';
import { connectClient } from '../platform/temporal.ts';
import {
  DEFAULT_RETAIL_OPTIONS,
  generateRetail,
  RETAIL_HEADER,
  retailCsvLine,
} from '../scripts/data/onlineRetailGenerator.ts';
import { stackDown, stackUp, stackWipe } from '../scripts/stack/stack.ts';
import { WORKER_NODE_FLAGS } from '../workers/nodeFlags.ts';
import { BENCH_API_PORT, BENCH_ENV } from './profile.ts';
import { postUnderLoad } from './load.ts';
import { peakRssMiB, startProcess, untilHealthy } from './processes.ts';
import { stepSeconds } from './workflowSteps.ts';
import { benchResults } from './results.ts';

const { values: args } = parseArgs({ options: { duration: { type: 'string', default: '10' } } });
const API_PORT = BENCH_API_PORT;
Object.assign(process.env, BENCH_ENV, { API_PORT: String(API_PORT) });
const cfg = loadConfig();
const api = `http://127.0.0.1:${API_PORT}`;
const { report, save } = benchResults('segmentation');
const round = (v: number, digits = 2) => Number(v.toFixed(digits));

async function benchImport(client: Client, file: string): Promise<void> {
  const deps = createDataDeps(cfg, 'retailflow-bench');
  try {
    const uri = await deps.store.upload(file, 'imports/bench/online_retail.csv');
    const t0 = performance.now();
    const result = (await client.workflow.execute('importTransactions', {
      workflowId: 'bench-import-transactions',
      taskQueue: cfg.temporal.taskQueues.ingest,
      args: [{ uris: [uri] }],
    })) as ImportTransactionsResult;
    const seconds = (performance.now() - t0) / 1000;
    report({
      name: 'import_online_retail',
      lines: DEFAULT_RETAIL_OPTIONS.rows,
      loaded: result.loaded,
      rejected: result.rejected,
      seconds: round(seconds),
      rows_per_s: Math.round(result.read / seconds),
      note: 'upload to GCS not counted; the workflow reads the object in chunks and COPYs each in one transaction',
    });
  } finally {
    await closeDataDeps(deps);
  }
}

async function benchWorkflow(client: Client, worker: ChildProcess): Promise<SegmentationReport> {
  // Warm-up (not reported): the worker bundles its workflows and starts its threads first.
  await client.workflow.execute('customerSegmentation', {
    workflowId: 'bench-segmentation-warmup',
    taskQueue: cfg.temporal.taskQueues.training,
    args: [{ k: 2, restarts: 1 }],
  });
  const workflowId = 'bench-segmentation';
  const t0 = performance.now();
  const run = (await client.workflow.execute('customerSegmentation', {
    workflowId,
    taskQueue: cfg.temporal.taskQueues.training,
    args: [{}],
  })) as SegmentationReport;
  report({
    name: 'segmentation_workflow',
    seconds: round((performance.now() - t0) / 1000),
    steps_seconds: await stepSeconds(client, workflowId, 'recordSegmentationRun'),
    transactions: run.snapshot.transactions,
    cleaning: run.snapshot.cleaning,
    customers: run.snapshot.customers,
    k: run.k,
    silhouette_by_k: Object.fromEntries(run.byK.map((f) => [f.k, round(f.silhouette, 4)])),
    restarts_per_k: 10,
    worker_peak_rss_mib: await peakRssMiB(worker.pid!),
    target: '<= 30 s end to end',
  });
  return run;
}

async function benchPredict(apiProcess: ChildProcess): Promise<void> {
  const body = JSON.stringify({
    latest_date: '2011-12-10',
    transactions: [
      { customer_id: 17850, invoice_no: '536365', invoice_date: '2010-12-01 08:26:00', quantity: 6, unit_price: 2.55 },
      { customer_id: 17850, invoice_no: '537001', invoice_date: '2011-03-04 10:00:00', quantity: 12, unit_price: 1.25 },
      { customer_id: 17850, invoice_no: '580001', invoice_date: '2011-11-30 15:20:00', quantity: 4, unit_price: 4.95 },
    ],
  });
  const check = await fetch(`${api}/predict`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  if (check.status !== 200) throw new Error(`POST /predict answered ${check.status}: ${await check.text()}`);
  const load = await postUnderLoad(`${api}/predict`, body, Number(args.duration));
  report({
    name: 'predict_seed_one_customer',
    ...load,
    answer: await check.json(),
    api_peak_rss_mib: await peakRssMiB(apiProcess.pid!),
    target: '>= 5,000 req/s, p99 <= 10 ms',
  });
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'retailflow-bench-segmentation-'));
const children: ChildProcess[] = [];
await stackWipe(cfg);
await stackUp(cfg);
try {
  await provision(cfg);
  const file = path.join(dir, 'online_retail.csv');
  const lines = [RETAIL_HEADER];
  generateRetail(DEFAULT_RETAIL_OPTIONS, (l) => lines.push(retailCsvLine(l, 'uci')));
  await writeFile(file, `${lines.join('\n')}\n`);
  const [ingest, training, apiProcess] = [
    startProcess('workers/ingest.ts', WORKER_NODE_FLAGS),
    startProcess('workers/training.ts', WORKER_NODE_FLAGS),
    startProcess('api/main.ts'),
  ] as const;
  children.push(ingest, training, apiProcess);
  const client = await connectClient(cfg.temporal);
  try {
    await benchImport(client, file);
    await benchWorkflow(client, training);
    await untilHealthy(api);
    await benchPredict(apiProcess);
  } finally {
    await client.connection.close();
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
  await stackDown(cfg);
}
await save();
