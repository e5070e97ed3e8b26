// `npm run bench:scale [-- --stores 10000] [--products 10] [--workers 1,2,4] [--shard-size N] [--concurrency N]
//   [--cpu-prof DIR] [--reuse-data] [--skip-lookup] [--lookup-only] [--lookup-sizes 10000,100000,1000000]`:
//   one weekly run of stores x products generated series (120-day window) end to end through Temporal
//   (snapshot, shards, fits, registry, forecasts) with 1, 2 and 4 training worker processes: seconds,
//   series/s, each worker's peak RSS and share of the shards, and the run's history (events, bytes),
//   largest payload and most activities open at once, each beside Temporal's limit. Each run starts
//   from an empty registry, so every worker count does the same work (a first weekly run), with the
//   run's default 4 shards in flight unless --concurrency says otherwise.
//   Then the registry's production lookup for one series (what the API's model cache and a shard ask)
//   at 10k, 100k and 1M version rows (10 versions a model) in a schema of its own: p50/p99 and the plan.
// One JSON line per result on stdout, all in bench/results/scale.json.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { addDays } from '../domain/dates.ts';
import { generate } from '../scripts/data/generate.ts';
import { closeDataDeps, createDataDeps } from '../platform/deps.ts';
import { DEFAULT_TRAINING, forecastModelName, type TrainingReport } from '../contracts/training.ts';
import { loadConfig, type Config } from '../platform/config.ts';
import { provision } from '../platform/provision.ts';
import { postgresConnection } from '../platform/postgres.ts';
import { productionVersion, productionVersions } from '../platform/registry.ts';
import { connectClient } from '../platform/temporal.ts';
import { importStores } from '../platform/storeImport.ts';
import { importTrain } from '../platform/salesImport.ts';
import { stackDown, stackUp, stackWipe } from '../scripts/stack/stack.ts';
import { bundleWorkflows } from '../workers/run.ts';
import { WORKER_NODE_FLAGS } from '../workers/nodeFlags.ts';
import { BENCH_ENV } from './profile.ts';
import { peakRssMiB, processCpu, startProcess } from './processes.ts';
import { benchResults } from './results.ts';
import { historyStats, TEMPORAL_LIMITS } from './workflowHistory.ts';
import { stepSeconds } from './workflowSteps.ts';
import type { Client } from '@temporalio/client';
import type { ChildProcess } from 'node:child_process';

const { values: args } = parseArgs({
  options: {
    stores: { type: 'string', default: '10000' },
    products: { type: 'string', default: '10' },
    workers: { type: 'string', default: '1,2,4' },
    'shard-size': { type: 'string' },
    concurrency: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'reuse-data': { type: 'boolean', default: false },
    'skip-lookup': { type: 'boolean', default: false },
    'lookup-only': { type: 'boolean', default: false },
    'lookup-sizes': { type: 'string', default: '10000,100000,1000000' },
  },
});
const whole = (name: string, raw: string, min = 1): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${raw}"`);
  return n;
};
const list = (name: string, raw: string) => raw.split(',').map((v) => whole(name, v.trim()));
const stores = whole('stores', args.stores);
const products = whole('products', args.products);
const workerCounts = list('workers', args.workers);
const lookupSizes = list('lookup-sizes', args['lookup-sizes']);
const runOptions = {
  ...DEFAULT_TRAINING,
  ...(args['shard-size'] ? { shardSize: whole('shard-size', args['shard-size']) } : {}),
};
// Shards in flight: as given, else the run's default (4) whatever the process count: the processes
// share this machine's cores, and more shards in flight than they can fit only queue in Postgres and
// the fit threads (2 workers: 42.8 s at 4 in flight, 46.8-48.9 s at 8; bench/README.md).
const concurrency = args.concurrency ? whole('concurrency', args.concurrency) : DEFAULT_TRAINING.concurrency;
const ASOF = '2015-07-31';
const WINDOW_DAYS = 120;
const VERSIONS_PER_MODEL = 10;
const LOOKUPS = 2_000;
const { report: print, save } = benchResults('scale');
const resultKey = (r: Record<string, unknown>) => JSON.stringify([r.name, r.series, r.workers, r.versions]);
const measured = new Set<string>();
const report = (r: Record<string, unknown>) => {
  measured.add(resultKey(r));
  print(r);
};
const round = (v: number, digits = 2) => Number(v.toFixed(digits));
const mib = (bytes: number) => round(bytes / 2 ** 20, 3);

/** The bench stack's sales: stores x products generated series over the window (reused when asked and already there). */
async function loadSales(cfg: Config): Promise<void> {
  const deps = createDataDeps(cfg, 'retailflow-bench');
  try {
    if (args['reuse-data']) {
      const { rows } = await deps.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM stores');
      if (rows[0]!.n === stores) return;
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'retailflow-bench-scale-'));
    try {
      const t0 = performance.now();
      const from = addDays(ASOF, 1 - WINDOW_DAYS);
      generate([
        '--out',
        dir,
        '--stores',
        String(stores),
        '--products',
        String(products),
        '--from',
        from,
        '--to',
        ASOF,
      ]);
      await importStores(deps.pool, path.join(dir, 'store.csv'));
      const summary = await importTrain(deps, path.join(dir, 'train.csv'), { warehouse: false });
      report({
        name: 'setup',
        series: stores * products,
        rows: summary.loaded,
        seconds: round((performance.now() - t0) / 1000),
        note: 'generated and imported before the runs (not timed in them)',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await closeDataDeps(deps);
  }
}

/** Empties the registry, so each run registers first versions (the same work whatever the worker count). */
async function clearRegistry(cfg: Config): Promise<void> {
  const pool = new pg.Pool({ ...postgresConnection(cfg.postgres), max: 1 });
  try {
    await pool.query('TRUNCATE forecast_results, training_failures, model_versions, training_runs, models CASCADE');
  } finally {
    await pool.end();
  }
}

/** Resolves once `count` distinct workers poll the training queue's activities. */
async function untilPolling(client: Client, cfg: Config, count: number): Promise<void> {
  for (;;) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: cfg.temporal.namespace,
      taskQueue: { name: cfg.temporal.taskQueues.training },
      taskQueueType: 2, // TASK_QUEUE_TYPE_ACTIVITY
    });
    if (new Set(pollers?.map((p) => p.identity)).size >= count) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** CPU seconds used between two readings by the workers, Postgres, Temporal and everything else. */
function runCpu(
  before: Awaited<ReturnType<typeof processCpu>>,
  after: Awaited<ReturnType<typeof processCpu>>,
  workers: Set<number>,
): Record<'workers' | 'postgres' | 'temporal' | 'other' | 'total', number> {
  const cpu = { workers: 0, postgres: 0, temporal: 0, other: 0, total: 0 };
  for (const [pid, { name, seconds }] of after) {
    const used = seconds - (before.get(pid)?.seconds ?? 0);
    const kind = workers.has(pid) ? 'workers' : name === 'postgres' || name === 'temporal' ? name : 'other';
    cpu[kind] += used;
    cpu.total += used;
  }
  return Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v)])) as typeof cpu;
}

async function benchRuns(cfg: Config): Promise<void> {
  const bundle = path.join(await mkdtemp(path.join(os.tmpdir(), 'retailflow-bench-bundle-')), 'workflows.js');
  await writeFile(bundle, (await bundleWorkflows()).code);
  const client = await connectClient(cfg.temporal);
  try {
    for (const count of workerCounts) {
      await clearRegistry(cfg);
      const flags = [
        ...WORKER_NODE_FLAGS,
        ...(args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args['cpu-prof'], `w${count}`)}`] : []),
      ];
      Object.assign(process.env, { WORKFLOW_BUNDLE_PATH: bundle, WORKER_METRICS_PORT: '0' });
      const workers: ChildProcess[] = Array.from({ length: count }, () => startProcess('workers/training.ts', flags));
      try {
        await untilPolling(client, cfg, count);
        // Warm-up (not reported): a short window of one product, so each worker's fit threads start.
        await client.workflow.execute('weeklyTraining', {
          workflowId: `bench-scale-warmup-w${count}`,
          taskQueue: cfg.temporal.taskQueues.training,
          args: [{ ...runOptions, asOf: ASOF, windowDays: 14, products: ['p01'] }],
        });
        const workflowId = `bench-scale-${stores * products}-w${count}`;
        const cpuBefore = await processCpu();
        const t0 = performance.now();
        const run = (await client.workflow.execute('weeklyTraining', {
          workflowId,
          taskQueue: cfg.temporal.taskQueues.training,
          args: [{ ...runOptions, concurrency, asOf: ASOF }],
        })) as TrainingReport;
        const seconds = (performance.now() - t0) / 1000;
        const cpu = runCpu(cpuBefore, await processCpu(), new Set(workers.map((w) => w.pid!)));
        const history = await historyStats(client, workflowId);
        const steps = await stepSeconds(client, workflowId, 'recordTrainingRun');
        report({
          name: 'weekly_run',
          series: run.counts.series,
          workers: count,
          engine: run.engine,
          shard_size: runOptions.shardSize,
          concurrency,
          counts: run.counts,
          seconds: round(seconds),
          series_per_s: Math.round(run.counts.series / seconds),
          steps_s: steps,
          // Where the 2 cores' time went: a slow run with the same CPU per series waited on the machine.
          cpu_s: cpu,
          cpu_ms_per_series: round((1000 * cpu.total) / run.counts.series),
          worker_peak_rss_mib: await Promise.all(workers.map((w) => peakRssMiB(w.pid!))),
          shards_per_worker: Object.values(history.activitiesPerWorker).filter((n) => n > 1),
          history_events: { value: history.events, limit: TEMPORAL_LIMITS.historyEvents },
          history_mib: { value: mib(history.bytes), limit: TEMPORAL_LIMITS.historyBytes / 2 ** 20 },
          largest_payload_bytes: {
            value: history.largestPayloadBytes,
            event: history.largestPayloadEvent,
            limit: TEMPORAL_LIMITS.payloadBytes,
          },
          max_pending_activities: { value: history.maxPendingActivities, limit: TEMPORAL_LIMITS.pendingActivities },
          max_pending_children: { value: history.maxPendingChildren, limit: TEMPORAL_LIMITS.pendingChildren },
          rmspe_p50: run.metrics.rmspe?.p50,
          target: '100,000 series in <= 50 s (>= 2,000 series/s)',
        });
      } finally {
        for (const w of workers) w.kill('SIGTERM');
        await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
      }
    }
  } finally {
    await client.connection.close();
    await rm(path.dirname(bundle), { recursive: true, force: true });
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

/**
 * The production lookup for one series at growing registry sizes: `bench_registry` holds copies of
 * `models` and `model_versions` (their indexes included), filled to each size with 10 versions a
 * model (the latest in production, the rest archived), each with a real version's parameters.
 */
async function benchLookup(cfg: Config): Promise<void> {
  const admin = new pg.Pool({ ...postgresConnection(cfg.postgres), max: 1 });
  const lookup = new pg.Pool({
    ...postgresConnection(cfg.postgres),
    max: 1,
    options: '-c search_path=bench_registry',
  });
  try {
    await admin.query(`DROP SCHEMA IF EXISTS bench_registry CASCADE; CREATE SCHEMA bench_registry;
      CREATE TABLE bench_registry.models (LIKE public.models INCLUDING ALL);
      CREATE TABLE bench_registry.model_versions (LIKE public.model_versions INCLUDING ALL);`);
    const {
      rows: [sample],
    } = await admin.query<{ params: unknown; metrics: unknown }>(
      `SELECT params, metrics FROM public.model_versions ORDER BY version LIMIT 1`,
    );
    const params = JSON.stringify(sample?.params ?? {});
    const metrics = JSON.stringify(sample?.metrics ?? {});
    let models = 0;
    for (const size of lookupSizes) {
      const target = Math.ceil(size / VERSIONS_PER_MODEL);
      const t0 = performance.now();
      // Model i is store ceil(i / 10), product p01..p10: the names forecastModelName gives.
      await admin.query(
        `INSERT INTO bench_registry.models (name, kind, store_id, product)
         SELECT 'sales-forecast:' || ((i - 1) / 10 + 1) || ':p' || lpad(((i - 1) % 10 + 1)::text, 2, '0'),
           'sales_forecast', (i - 1) / 10 + 1, 'p' || lpad(((i - 1) % 10 + 1)::text, 2, '0')
         FROM generate_series($1::int + 1, $2::int) AS i`,
        [models, target],
      );
      await admin.query(
        `INSERT INTO bench_registry.model_versions (model, version, stage, engine, params, metrics, training_run)
         SELECT m.name, v, CASE WHEN v = $3 THEN 'production' ELSE 'archived' END, 'fast', $4::jsonb, $5::jsonb,
           'bench-week-' || v
         FROM bench_registry.models m CROSS JOIN generate_series(1, $3::int) AS v
         WHERE m.store_id * 10 + substr(m.product, 2)::int - 10 > $1 AND m.store_id * 10 + substr(m.product, 2)::int - 10 <= $2`,
        [models, target, VERSIONS_PER_MODEL, params, metrics],
      );
      models = target;
      await admin.query('VACUUM ANALYZE bench_registry.models, bench_registry.model_versions');
      const insertSeconds = (performance.now() - t0) / 1000;
      const {
        rows: [counted],
      } = await admin.query<{ n: number; bytes: string }>(
        `SELECT count(*)::int AS n, pg_total_relation_size('bench_registry.model_versions')::text AS bytes FROM bench_registry.model_versions`,
      );
      const series = (i: number) => ({
        storeId: Math.floor(i / 10) + 1,
        product: `p${String((i % 10) + 1).padStart(2, '0')}`,
      });
      const name = (i: number) => forecastModelName(series(i).storeId, series(i).product);
      const plan = await lookup.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN ANALYZE SELECT version, engine, params FROM model_versions WHERE model = $1 AND stage = 'production'`,
        [name(models - 1)],
      );
      const timings: Record<string, number[]> = { productionVersion: [], productionVersions: [] };
      // Random series, so the lookups are not one cached page: what the API's cache misses and shards ask.
      for (let k = 0; k < LOOKUPS; k++) {
        const i = Math.floor(Math.random() * models);
        let t = performance.now();
        const one = await productionVersion(lookup, name(i));
        timings.productionVersion!.push(performance.now() - t);
        t = performance.now();
        const many = await productionVersions(lookup, [series(i)], 'bench-lookup');
        timings.productionVersions!.push(performance.now() - t);
        if (one?.version !== VERSIONS_PER_MODEL || many.size !== 1)
          throw new Error(`lookup of ${name(i)} found no production version`);
      }
      report({
        name: 'registry_lookup',
        versions: counted!.n,
        models,
        table_mib: round(Number(counted!.bytes) / 2 ** 20, 1),
        insert_s: round(insertSeconds),
        lookups: LOOKUPS,
        ...Object.fromEntries(
          Object.entries(timings).map(([fn, ms]) => {
            const sorted = ms.sort((a, b) => a - b);
            return [fn, { p50_ms: round(percentile(sorted, 0.5), 3), p99_ms: round(percentile(sorted, 0.99), 3) }];
          }),
        ),
        plan: plan.rows.map((r) => r['QUERY PLAN'].trim()).slice(0, 3),
      });
    }
  } finally {
    await admin.query('DROP SCHEMA IF EXISTS bench_registry CASCADE').catch(() => undefined);
    await Promise.all([admin.end(), lookup.end()]);
  }
}

Object.assign(process.env, BENCH_ENV);
const cfg = loadConfig();
if (!args['reuse-data']) await stackWipe(cfg);
await stackUp(cfg);
try {
  await provision(cfg);
  if (!args['lookup-only']) {
    await loadSales(cfg);
    await benchRuns(cfg);
  }
  if (!args['skip-lookup']) await benchLookup(cfg);
} finally {
  await stackDown(cfg);
}
// Earlier results of what this run did not measure stay (another size, worker count or part).
await save((earlier) => !measured.has(resultKey(earlier)));
