// `npm run chaos [-- --stores 1115] [--retail-rows 541909] [--outage 30] [--faults a,b]`: each fault in
// turn during the real pipelines, on the chaos stack (.data/chaos, the bench's ports).
//   round: a weekly training of stores x 10 products (120-day window, as bench:training's), a
//          customer segmentation of a generated Online Retail file, then, once the training fits
//          its shards, a daily ingest of one event per series and a retrain of one series; each
//          queue's worker in a process of its own (workers/<queue>.ts), as production runs them.
//   faults: none (the baseline), kill -9 of the training, ingest and interactive worker (started
//          again after 1 s, as `npm start` does), a restart of the Temporal server, kill -9 of
//          Postgres and its restart, the GCS and the BigQuery emulator down for --outage seconds;
//          each strikes once an activity of the run it targets is running (services: the ingest's,
//          the shortest run, so all four are in flight).
//   checks: every run completes; the training's series, versions (one per fitted series, no gap in
//          a model's version numbers) and forecasts (horizon per version, one per natural key, the
//          same as the baseline's); the ingest's rows in Postgres, GCS and BigQuery equal the events
//          staged, each key once; the segmentation's transactions equal the source table, one
//          version, every customer assigned once in Postgres and BigQuery, the same partition of
//          customers as the baseline's; the retrain one version and its forecasts.
//   cost:   each round's seconds and each run's, minus the baseline's.
// The results in bench/results/chaos.json; exits 1 if a check failed.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { dailyIngestWorkflowId, stagedSource, type IngestReport } from '../contracts/ingest.ts';
import type { RetrainResult } from '../contracts/retrain.ts';
import type { SegmentationReport } from '../contracts/segmentation.ts';
import { DEFAULT_TRAINING, type TrainingReport } from '../contracts/training.ts';
import { addDays } from '../domain/dates.ts';
import { loadConfig, type TaskQueueName } from '../platform/config.ts';
import { closeDataDeps, createDataDeps, type DataDeps } from '../platform/deps.ts';
import { provision } from '../platform/provision.ts';
import { stageSaleEvents } from '../platform/sales.ts';
import { countSalesDay } from '../platform/salesWarehouse.ts';
import { importStores } from '../platform/storeImport.ts';
import { importTrain } from '../platform/salesImport.ts';
import { connectClient, isTemporalUnavailable } from '../platform/temporal.ts';
import { importTransactions } from '../platform/transactionImport.ts';
import { generate } from '../scripts/data/generate.ts';
import {
  DEFAULT_RETAIL_OPTIONS,
  generateRetail,
  RETAIL_HEADER,
  retailCsvLine,
} from '../scripts/data/onlineRetailGenerator.ts';
import { dayOfEvents } from '../scripts/data/saleEvents.ts';
import {
  crashService,
  killNode,
  restartServices,
  startNode,
  stopService,
  whenActivity,
  type NodeProcess,
  type PendingActivity,
} from '../scripts/stack/faults.ts';
import { ROOT, stackDirs } from '../scripts/stack/paths.ts';
import { stackDown, stackUp, stackWipe } from '../scripts/stack/stack.ts';
import { WORKER_NODE_FLAGS } from '../workers/nodeFlags.ts';
import { BENCH_ENV } from './profile.ts';
import { benchResults } from './results.ts';

const FAULTS = [
  'none',
  'kill_worker_training',
  'kill_worker_ingest',
  'kill_worker_interactive',
  'restart_temporal',
  'restart_postgres',
  'gcs_down',
  'bigquery_down',
] as const;
type Fault = (typeof FAULTS)[number];

const { values: args } = parseArgs({
  options: {
    stores: { type: 'string', default: '1115' },
    'retail-rows': { type: 'string', default: String(DEFAULT_RETAIL_OPTIONS.rows) },
    outage: { type: 'string', default: '30' },
    faults: { type: 'string', default: FAULTS.join(',') },
  },
});
const wholeNumber = (option: string, min: number): number => {
  const value = Number(args[option as keyof typeof args]);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`--${option} must be a whole number >= ${min}, got ${args[option as keyof typeof args]}`);
  return value;
};
const STORES = wholeNumber('stores', 1);
const RETAIL_ROWS = wholeNumber('retail-rows', 1000);
const OUTAGE_S = wholeNumber('outage', 1);
const chosen = args.faults.split(',').map((f) => f.trim());
for (const f of chosen)
  if (!(FAULTS as readonly string[]).includes(f))
    throw new Error(`--faults: unknown fault ${f}; expected ${FAULTS.join(', ')}`);
// The baseline runs first whatever is chosen: every cost is measured against it.
const faults = FAULTS.filter((f) => f === 'none' || chosen.includes(f));

const PRODUCTS = Array.from({ length: 10 }, (_, i) => `p${String(i + 1).padStart(2, '0')}`);
const SERIES = STORES * PRODUCTS.length;
const AS_OF = '2015-07-31';
/** Round i ingests the day AS_OF + 1 + i. */
const INGEST_FROM = addDays(AS_OF, 1);
/** The supervisor's first restart delay (`npm start`): a killed worker is back after it. */
const WORKER_RESTART_MS = 1_000;

Object.assign(process.env, BENCH_ENV, { RETAILFLOW_DATA_DIR: path.join(ROOT, '.data/chaos') });
const cfg = loadConfig();
const dirs = stackDirs(cfg.stack.dataDir);
const { report, save } = benchResults('chaos');
const seconds = (ms: number) => Number((ms / 1000).toFixed(2));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One worker process per task queue, replaced when killed. */
class Workers {
  readonly procs = new Map<TaskQueueName, NodeProcess>();
  start(queue: TaskQueueName): NodeProcess {
    const p = startNode(`workers/${queue}.ts`, {
      env: process.env,
      logFile: path.join(dirs.logs, `chaos-worker-${queue}.log`),
      nodeArgs: WORKER_NODE_FLAGS,
      keepLines: 50,
    });
    this.procs.set(queue, p);
    return p;
  }
  get(queue: TaskQueueName): NodeProcess {
    return this.procs.get(queue)!;
  }
  /** Workers that died without being killed here: none may. */
  deaths(): string[] {
    return [...this.procs].filter(([, p]) => !p.alive()).map(([q, p]) => `${q}: ${p.output.slice(-5).join(' | ')}`);
  }
}

type RunName = 'training' | 'ingest' | 'segmentation' | 'retrain';
interface Run {
  handle: WorkflowHandle;
  startedAt: number;
  /** Resolves when the run closed: its result, or its error. */
  closed: Promise<{ at: number; result?: unknown; error?: string }>;
  isOpen: () => boolean;
}

/** A run's result, asked again while Temporal is away (a restart): only the run's own failure ends the wait. */
async function outcome(handle: WorkflowHandle): Promise<{ at: number; result?: unknown; error?: string }> {
  for (;;) {
    try {
      const result: unknown = await handle.result();
      return { at: performance.now(), result };
    } catch (err) {
      if (isTemporalUnavailable(err)) {
        await sleep(500);
        continue;
      }
      // "Workflow execution failed" says little: the causes say why.
      const causes: string[] = [];
      for (let e: unknown = err; e instanceof Error; e = e.cause) causes.push(e.message);
      return { at: performance.now(), error: causes.join(': ') };
    }
  }
}

function startRun(client: Client, name: RunName, fault: Fault, day: string): Promise<Run> {
  const q = cfg.temporal.taskQueues;
  const start = (workflow: string, workflowId: string, taskQueue: string, input: unknown) =>
    client.workflow.start(workflow, { workflowId, taskQueue, args: [input] }).then((handle) => {
      const startedAt = performance.now();
      let open = true;
      const closed = outcome(handle).finally(() => (open = false));
      return { handle, startedAt, closed, isOpen: () => open };
    });
  switch (name) {
    case 'training':
      return start('weeklyTraining', `chaos-${fault}-training`, q.training, { ...DEFAULT_TRAINING, asOf: AS_OF });
    case 'segmentation':
      return start('customerSegmentation', `chaos-${fault}-segmentation`, q.training, {});
    case 'ingest':
      return start('dailyIngest', dailyIngestWorkflowId(day), q.ingest, { date: day });
    case 'retrain':
      return start('retrainSeries', `chaos-${fault}-retrain`, q.interactive, {
        storeId: 1,
        product: PRODUCTS[0],
        engine: DEFAULT_TRAINING.engine,
        windowDays: DEFAULT_TRAINING.windowDays,
      });
  }
}

const WORKER_FAULTS: Partial<Record<Fault, { queue: TaskQueueName; runs: RunName[] }>> = {
  kill_worker_training: { queue: 'training', runs: ['training', 'segmentation'] },
  kill_worker_ingest: { queue: 'ingest', runs: ['ingest'] },
  kill_worker_interactive: { queue: 'interactive', runs: ['retrain'] },
};

interface Injected {
  /** What was running where the fault struck. */
  struck: Pick<PendingActivity, 'workflowId' | 'type' | 'attempt'>;
  /** Runs still open then. */
  open: RunName[];
  /** From the fault to the service (or worker) being back. */
  down_s: number;
}

async function inject(client: Client, fault: Fault, runs: Record<RunName, Run>, workers: Workers): Promise<Injected> {
  const target = WORKER_FAULTS[fault];
  const worker = target && workers.get(target.queue);
  const ids = (target?.runs ?? ['ingest']).map((r) => runs[r].handle.workflowId);
  const struck = await whenActivity(client, ids, (a) => a.started && (!worker || a.workerPid === worker.child.pid), {
    seconds: 300,
  });
  const open = (Object.keys(runs) as RunName[]).filter((r) => runs[r].isOpen());
  const t0 = performance.now();
  if (target && worker) {
    await killNode(worker);
    await sleep(WORKER_RESTART_MS);
    workers.start(target.queue);
  } else if (fault === 'restart_temporal') {
    await stopService(cfg, 'temporal');
    await restartServices(cfg);
  } else if (fault === 'restart_postgres') {
    await crashService(cfg, 'postgres');
    await restartServices(cfg);
  } else if (fault === 'gcs_down' || fault === 'bigquery_down') {
    await stopService(cfg, fault === 'gcs_down' ? 'gcs' : 'bigquery');
    await sleep(OUTAGE_S * 1000);
    await restartServices(cfg);
  }
  return {
    struck: { workflowId: struck.workflowId, type: struck.type, attempt: struck.attempt },
    open,
    down_s: seconds(performance.now() - t0),
  };
}

type Checks = Record<string, { ok: boolean; [k: string]: unknown }>;
const check = (expected: unknown, actual: unknown) => ({
  ok: isDeepStrictEqual(expected, actual),
  expected,
  actual,
});

async function checkTraining(deps: DataDeps, runId: string, r: TrainingReport, baselineRun?: string) {
  const { horizon } = DEFAULT_TRAINING;
  const {
    rows: [db],
  } = await deps.pool.query<Record<string, number | string | null>>(
    `SELECT (SELECT count(*)::int FROM model_versions WHERE training_run = $1) AS versions,
            (SELECT count(DISTINCT model)::int FROM model_versions WHERE training_run = $1) AS models,
            (SELECT count(*)::int FROM forecast_results WHERE run_id = $1) AS forecasts,
            (SELECT count(DISTINCT (store_id, product, forecast_date))::int FROM forecast_results WHERE run_id = $1) AS forecast_keys,
            (SELECT count(*)::int FROM (
               SELECT model FROM model_versions
               WHERE model IN (SELECT model FROM model_versions WHERE training_run = $1)
               GROUP BY model HAVING count(*) <> max(version)) g) AS models_with_version_gaps,
            (SELECT status FROM training_runs WHERE run_id = $1) AS status`,
    [runId],
  );
  const checks: Checks = {
    series: check(SERIES, r.counts.series),
    fitted_plus_unfit: check(SERIES, r.counts.fitted + r.counts.unfit),
    versions: check(r.counts.fitted, db!.versions),
    one_version_per_model: check(db!.versions, db!.models),
    no_version_gaps: check(0, db!.models_with_version_gaps),
    forecasts: check(r.counts.fitted * horizon, db!.forecasts),
    forecast_keys_unique: check(db!.forecasts, db!.forecast_keys),
    run_row: check('done', db!.status),
  };
  if (baselineRun) {
    // The same data and options fit the same models: a lost, doubled or half-written series would differ.
    const {
      rows: [diff],
    } = await deps.pool.query<{ differing: number }>(
      `SELECT count(*)::int AS differing FROM forecast_results a
       FULL JOIN (SELECT * FROM forecast_results WHERE run_id = $2) b USING (store_id, product, forecast_date)
       WHERE a.run_id = $1 AND (b.forecast IS NULL OR a.forecast <> b.forecast)
          OR a.run_id IS NULL`,
      [runId, baselineRun],
    );
    checks.forecasts_equal_baseline = check(0, diff!.differing);
  }
  return checks;
}

async function checkIngest(deps: DataDeps, day: string, staged: number, r: IngestReport) {
  const [counts, [bq], { rows }] = await Promise.all([
    countSalesDay(deps, day),
    deps.warehouse.query<{ keys: number }>(
      `SELECT COUNT(DISTINCT CONCAT(CAST(store_id AS STRING), '/', product)) AS keys FROM ${deps.warehouse.table('sales')} WHERE date = DATE(@day)`,
      { day },
    ),
    deps.pool.query<{ status: string; rejected: number }>(
      `SELECT status, (SELECT count(*)::int FROM rejected_rows WHERE source = $2) AS rejected
       FROM ingest_runs WHERE sale_date = $1 AND kind = 'daily'`,
      [day, stagedSource(day)],
    ),
  ]);
  return {
    staged_accepted: check({ staged, accepted: staged }, { staged: r.counts.staged, accepted: r.counts.accepted }),
    rows_postgres_gcs_bigquery: check({ postgres: staged, gcs: staged, bigquery: staged }, counts),
    bigquery_keys_unique: check(staged, Number(bq?.keys)),
    rejected: check(0, rows[0]?.rejected),
    run_row: check('done', rows[0]?.status),
  } satisfies Checks;
}

async function checkSegmentation(deps: DataDeps, runId: string, r: SegmentationReport, baselineVersion?: number) {
  const version = r.registration.version;
  const [
    {
      rows: [db],
    },
    [bq],
  ] = await Promise.all([
    deps.pool.query<Record<string, number | string | null>>(
      `SELECT (SELECT count(*)::int FROM transactions) AS source_transactions,
              (SELECT count(*)::int FROM model_versions WHERE model = 'customer_segments' AND training_run = $1) AS versions,
              (SELECT count(*)::int FROM customer_segments WHERE model_version = $2) AS assigned,
              (SELECT count(DISTINCT customer_id)::int FROM customer_segments WHERE model_version = $2) AS customers,
              (SELECT count(*)::int FROM customer_features WHERE run_id = $1) AS features,
              (SELECT status FROM segmentation_runs WHERE run_id = $1) AS status`,
      [runId, version],
    ),
    deps.warehouse.query<{ n: number; customers: number }>(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT customer_id) AS customers FROM ${deps.warehouse.table('customer_segments')} WHERE model_version = @version`,
      { version },
    ),
  ]);
  const customers = r.snapshot.customers;
  const checks: Checks = {
    transactions_vs_source: check(db!.source_transactions, r.snapshot.transactions),
    one_version: check(1, db!.versions),
    assigned_postgres: check({ rows: customers, customers }, { rows: db!.assigned, customers: db!.customers }),
    features: check(customers, db!.features),
    assigned_bigquery: check({ rows: customers, customers }, { rows: Number(bq?.n), customers: Number(bq?.customers) }),
    run_row: check('done', db!.status),
  };
  if (baselineVersion !== undefined) {
    // The same customers in the same groups as the baseline (segment numbers may differ between versions).
    const {
      rows: [same],
    } = await deps.pool.query<{ pairs: number; joined: number }>(
      `SELECT count(DISTINCT (a.segment, b.segment))::int AS pairs, count(*)::int AS joined
       FROM customer_segments a JOIN customer_segments b USING (customer_id)
       WHERE a.model_version = $1 AND b.model_version = $2`,
      [version, baselineVersion],
    );
    checks.segments_equal_baseline = check({ pairs: r.k, joined: customers }, same);
  }
  return checks;
}

async function checkRetrain(deps: DataDeps, r: RetrainResult, handle: WorkflowHandle) {
  const { runId } = await handle.describe();
  const trainingRun = `${handle.workflowId}-${runId}`;
  const {
    rows: [db],
  } = await deps.pool.query<{ versions: number; forecasts: number }>(
    `SELECT (SELECT count(*)::int FROM model_versions WHERE training_run = $1) AS versions,
            (SELECT count(*)::int FROM forecast_results WHERE run_id = $1) AS forecasts`,
    [trainingRun],
  );
  return {
    trained: check(true, r.trained),
    versions: check(1, db!.versions),
    forecasts: check(DEFAULT_TRAINING.horizon, db!.forecasts),
  } satisfies Checks;
}

async function prepare(deps: DataDeps, dir: string): Promise<void> {
  generate(['--out', dir, '--stores', String(STORES), '--products', '10', '--from', '2015-03-01', '--to', AS_OF]);
  await importStores(deps.pool, path.join(dir, 'store.csv'));
  await importTrain(deps, path.join(dir, 'train.csv'), { warehouse: false });
  const lines = [RETAIL_HEADER];
  const customers = Math.max(
    100,
    Math.round((DEFAULT_RETAIL_OPTIONS.customers * RETAIL_ROWS) / DEFAULT_RETAIL_OPTIONS.rows),
  );
  generateRetail({ seed: 42, customers, rows: RETAIL_ROWS }, (l) => lines.push(retailCsvLine(l, 'uci')));
  const file = path.join(dir, 'online_retail.csv');
  await writeFile(file, `${lines.join('\n')}\n`);
  await importTransactions(deps.pool, file);
}

async function main(): Promise<boolean> {
  await stackWipe(cfg);
  await stackUp(cfg);
  await mkdir(dirs.logs, { recursive: true });
  const workers = new Workers();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'retailflow-chaos-'));
  let allOk = true;
  try {
    await provision(cfg);
    const deps = createDataDeps(cfg, 'retailflow-chaos');
    try {
      await prepare(deps, dir);
      for (const q of ['training', 'ingest', 'interactive'] as const) workers.start(q);
      const client = await connectClient(cfg.temporal);
      try {
        // Warm-up (not reported): each worker bundles its workflows and starts its threads first.
        await Promise.all([
          client.workflow.execute('weeklyTraining', {
            workflowId: 'chaos-warmup-training',
            taskQueue: cfg.temporal.taskQueues.training,
            args: [{ ...DEFAULT_TRAINING, asOf: '2015-07-24', products: [PRODUCTS[9]] }],
          }),
          client.workflow.execute('dailyIngest', {
            workflowId: 'chaos-warmup-ingest',
            taskQueue: cfg.temporal.taskQueues.ingest,
            args: [{ date: AS_OF }],
          }),
          client.workflow.execute('retrainSeries', {
            workflowId: 'chaos-warmup-retrain',
            taskQueue: cfg.temporal.taskQueues.interactive,
            args: [{ storeId: 1, product: PRODUCTS[0], engine: 'fast', windowDays: 120 }],
          }),
        ]);
        let baseline:
          { round_s: number; runs_s: Record<RunName, number>; training: string; segmentation: number } | undefined;
        for (const [i, fault] of faults.entries()) {
          const day = addDays(INGEST_FROM, i);
          const events = dayOfEvents(
            day,
            PRODUCTS,
            Array.from({ length: STORES }, (_, s) => s + 1),
          );
          await stageSaleEvents(
            deps.pool,
            events.map((payload) => ({ date: day, payload })),
            'chaos',
          );

          const t0 = performance.now();
          const runs = {} as Record<RunName, Run>;
          [runs.training, runs.segmentation] = await Promise.all([
            startRun(client, 'training', fault, day),
            startRun(client, 'segmentation', fault, day),
          ]);
          // The ingest and the retrain join once the training fits its shards, so every fault meets all four.
          await whenActivity(client, [runs.training.handle.workflowId], (a) => a.type === 'trainShard' && a.started, {
            seconds: 300,
          });
          [runs.ingest, runs.retrain] = await Promise.all([
            startRun(client, 'ingest', fault, day),
            startRun(client, 'retrain', fault, day),
          ]);
          const injected = fault === 'none' ? undefined : await inject(client, fault, runs, workers);
          const closed = Object.fromEntries(
            await Promise.all((Object.keys(runs) as RunName[]).map(async (r) => [r, await runs[r].closed] as const)),
          ) as Record<RunName, Awaited<Run['closed']>>;
          const roundS = seconds(Math.max(...Object.values(closed).map((c) => c.at)) - t0);
          const runsS = Object.fromEntries(
            (Object.keys(runs) as RunName[]).map((r) => [r, seconds(closed[r].at - runs[r].startedAt)]),
          ) as Record<RunName, number>;

          const errors = Object.fromEntries(
            Object.entries(closed).flatMap(([r, c]) => (c.error ? [[r, c.error]] : [])),
          );
          const checks: Record<string, Checks> = {};
          if (!closed.training.error)
            checks.training = await checkTraining(
              deps,
              runs.training.handle.workflowId,
              closed.training.result as TrainingReport,
              baseline?.training,
            );
          if (!closed.ingest.error)
            checks.ingest = await checkIngest(deps, day, events.length, closed.ingest.result as IngestReport);
          if (!closed.segmentation.error)
            checks.segmentation = await checkSegmentation(
              deps,
              runs.segmentation.handle.workflowId,
              closed.segmentation.result as SegmentationReport,
              baseline?.segmentation,
            );
          if (!closed.retrain.error)
            checks.retrain = await checkRetrain(deps, closed.retrain.result as RetrainResult, runs.retrain.handle);
          const failed = Object.entries(checks).flatMap(([run, c]) =>
            Object.entries(c).flatMap(([name, v]) => (v.ok ? [] : [`${run}.${name}`])),
          );
          const deaths = workers.deaths();
          const ok = !Object.keys(errors).length && !failed.length && !deaths.length;
          allOk &&= ok;
          if (fault === 'none' && ok)
            baseline = {
              round_s: roundS,
              runs_s: runsS,
              training: runs.training.handle.workflowId,
              segmentation: (closed.segmentation.result as SegmentationReport).registration.version,
            };
          report({
            name: 'fault',
            fault,
            ok,
            ...(injected ?? {}),
            round_s: roundS,
            runs_s: runsS,
            ...(baseline && fault !== 'none'
              ? {
                  cost_s: seconds((roundS - baseline.round_s) * 1000),
                  runs_cost_s: Object.fromEntries(
                    (Object.keys(runsS) as RunName[]).map((r) => [r, seconds((runsS[r] - baseline!.runs_s[r]) * 1000)]),
                  ),
                }
              : {}),
            sizes: {
              series: SERIES,
              ingest_rows: events.length,
              transactions: RETAIL_ROWS,
              customers: (closed.segmentation.result as SegmentationReport | undefined)?.snapshot.customers,
            },
            ...(Object.keys(errors).length ? { errors } : {}),
            ...(deaths.length ? { worker_deaths: deaths } : {}),
            failed_checks: failed,
            checks,
          });
          if (fault === 'none' && !ok) throw new Error('the fault-free baseline round failed: see its checks above');
        }
      } finally {
        await client.connection.close();
      }
    } finally {
      await closeDataDeps(deps);
    }
  } finally {
    await Promise.all([...workers.procs.values()].map(killNode));
    await stackDown(cfg);
    await rm(dir, { recursive: true, force: true });
  }
  return allOk;
}

const ok = await main();
await save();
process.exit(ok ? 0 : 1);
