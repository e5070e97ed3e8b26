// `npm run bench:api [-- --duration 10] [--retrains 50]`: the serving API on its own stack, with
// 1,115 stores x 10 products (11,150 series) trained, the API and the workers in their own
// processes as in production.
//   forecast: POST /v1/forecast for the next 7 days of a random series, then for a random range of
//             1 to 28 days, under autocannon: req/s, p50/p99
//   retrain:  API call -> new version served by POST /v1/forecast, p50/p95 over N retrains, once
//             idle and once while a weekly run of all 11,150 series is training
// One JSON line per result on stdout, all of them in bench/results/api.json.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { closeDataDeps, createDataDeps } from '../platform/deps.ts';
import type { ForecastResponse } from '../api/forecastSchemas.ts';
import type { RetrainResult } from '../contracts/retrain.ts';
import { DEFAULT_TRAINING, type TrainingReport } from '../contracts/training.ts';
import { addDays } from '../domain/dates.ts';
import { loadConfig } from '../platform/config.ts';
import { provision } from '../platform/provision.ts';
import { connectClient } from '../platform/temporal.ts';
import { generate } from '../scripts/data/generate.ts';
import { importStores } from '../platform/storeImport.ts';
import { importTrain } from '../platform/salesImport.ts';
import { stackDown, stackUp, stackWipe } from '../scripts/stack/stack.ts';
import { WORKER_NODE_FLAGS } from '../workers/nodeFlags.ts';
import { BENCH_API_PORT, BENCH_ENV } from './profile.ts';
import { startProcess, untilHealthy } from './processes.ts';
import { benchResults } from './results.ts';
import { postUnderLoad } from './load.ts';

const { values: args } = parseArgs({
  options: { duration: { type: 'string', default: '10' }, retrains: { type: 'string', default: '50' } },
});
const STORES = 1115;
const PRODUCTS = Array.from({ length: 10 }, (_, i) => `p${String(i + 1).padStart(2, '0')}`);
const AS_OF = '2015-07-31';
const API_PORT = BENCH_API_PORT;
const KEY = `bench-${randomBytes(16).toString('hex')}`;

Object.assign(process.env, BENCH_ENV, {
  API_PORT: String(API_PORT),
  API_KEYS: `bench:admin:${KEY}`,
  API_RETRAINS_PER_MINUTE: '100000',
});
const cfg = loadConfig();
const api = `http://127.0.0.1:${API_PORT}`;
const { report, save } = benchResults('api');

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const randomSeries = () => ({ store: 1 + Math.floor(Math.random() * STORES), product: pick(PRODUCTS) });
const weekOf = (store: number, product: string) =>
  JSON.stringify([
    { store_id: String(store), product_name: product, begin_date: addDays(AS_OF, 1), end_date: addDays(AS_OF, 7) },
  ]);
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(route: string, body: string, key?: string): Promise<Response> {
  return fetch(`${api}${route}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
  });
}

async function servedVersion(store: number, product: string): Promise<number> {
  const [answer] = (await (await post('/v1/forecast', weekOf(store, product))).json()) as ForecastResponse;
  return answer!.api.model_version;
}

/** From the API call until POST /v1/forecast serves the retrain's version (or, if it was not promoted, until the retrain is done). */
async function timedRetrain(): Promise<{ ms: number; promoted: boolean }> {
  const { store, product } = randomSeries();
  const t0 = performance.now();
  const res = await post(`/v1/models/${store}/${product}/retrain`, '{}', KEY);
  if (res.status !== 202) throw new Error(`retrain answered ${res.status}: ${await res.text()}`);
  const { workflowId } = (await res.json()) as { workflowId: string };
  for (;;) {
    const got = (await (await fetch(`${api}/v1/retrains/${workflowId}`)).json()) as {
      status: string;
      result?: RetrainResult;
    };
    if (got.status === 'COMPLETED') {
      const result = got.result!;
      if (!result.trained) throw new Error(`retrain of ${store}/${product} did not train: ${result.reason}`);
      if (!result.promoted) return { ms: performance.now() - t0, promoted: false };
      while ((await servedVersion(store, product)) !== result.version) await sleep(5);
      return { ms: performance.now() - t0, promoted: true };
    }
    if (got.status !== 'RUNNING') throw new Error(`retrain ${workflowId} ended ${got.status}`);
    await sleep(10);
  }
}

async function benchRetrains(name: string, count: number, busy?: () => Promise<boolean>): Promise<void> {
  const times: number[] = [];
  let promoted = 0;
  let duringRun = 0;
  for (let i = 0; i < count; i++) {
    const r = await timedRetrain();
    times.push(r.ms);
    if (r.promoted) promoted++;
    if (busy && (await busy())) duringRun++;
  }
  times.sort((a, b) => a - b);
  report({
    name,
    retrains: count,
    promoted,
    ...(busy ? { finished_while_weekly_run_was_training: duringRun } : {}),
    ms: {
      p50: Math.round(quantile(times, 0.5)),
      p95: Math.round(quantile(times, 0.95)),
      max: Math.round(times.at(-1)!),
    },
    target_p95_ms: 1000,
  });
}

async function benchForecastLoad(): Promise<void> {
  // Every series' model loaded once (the cache is lazy), 100 series a request.
  const t0 = performance.now();
  const all = Array.from({ length: STORES }, (_, s) =>
    PRODUCTS.map((p) => ({
      store_id: String(s + 1),
      product_name: p,
      begin_date: addDays(AS_OF, 1),
      end_date: addDays(AS_OF, 7),
    })),
  ).flat();
  for (let i = 0; i < all.length; i += 100) {
    const res = await post('/v1/forecast', JSON.stringify(all.slice(i, i + 100)));
    if (res.status !== 200) throw new Error(`warm-up answered ${res.status}: ${await res.text()}`);
  }
  const warmSeconds = (performance.now() - t0) / 1000;
  const nextWeek = () => {
    const { store, product } = randomSeries();
    return weekOf(store, product);
  };
  // Any range in the next 8 weeks, 1 to 28 days long: each series' forecasts are kept per range,
  // so this measures computing them rather than repeating the same next week.
  const anyRange = () => {
    const { store, product } = randomSeries();
    const begin = addDays(AS_OF, 1 + Math.floor(Math.random() * 56));
    return JSON.stringify([
      {
        store_id: String(store),
        product_name: product,
        begin_date: begin,
        end_date: addDays(begin, Math.floor(Math.random() * 28)),
      },
    ]);
  };
  for (const [name, body] of [
    ['forecast_7_days', nextWeek],
    ['forecast_random_range', anyRange],
  ] as const) {
    const load = await postUnderLoad(`${api}/v1/forecast`, body, Number(args.duration));
    report({
      name,
      ...load,
      series: all.length,
      cache_warm_up_seconds: Number(warmSeconds.toFixed(2)),
      target: '>= 3,000 req/s, p99 <= 20 ms',
    });
  }
}

async function weeklyRun(client: Client, workflowId: string, asOf = AS_OF): Promise<TrainingReport> {
  return client.workflow.execute('weeklyTraining', {
    workflowId,
    taskQueue: cfg.temporal.taskQueues.training,
    args: [{ ...DEFAULT_TRAINING, asOf }],
  }) as Promise<TrainingReport>;
}

await stackWipe(cfg);
await stackUp(cfg);
const children: ChildProcess[] = [];
const dir = await mkdtemp(path.join(os.tmpdir(), 'retailflow-bench-api-'));
try {
  await provision(cfg);
  const deps = createDataDeps(cfg, 'retailflow-bench');
  try {
    generate([
      '--out',
      dir,
      '--stores',
      String(STORES),
      '--products',
      String(PRODUCTS.length),
      '--from',
      '2015-03-01',
      '--to',
      AS_OF,
    ]);
    await importStores(deps.pool, path.join(dir, 'store.csv'));
    await importTrain(deps, path.join(dir, 'train.csv'), { warehouse: false });
  } finally {
    await closeDataDeps(deps);
  }
  children.push(
    startProcess('workers/training.ts', WORKER_NODE_FLAGS),
    startProcess('workers/interactive.ts', WORKER_NODE_FLAGS),
    startProcess('api/main.ts'),
  );
  const client = await connectClient(cfg.temporal);
  try {
    const first = await weeklyRun(client, 'bench-api-first-training');
    console.error(`[bench] trained ${first.counts.fitted} series`);
    await untilHealthy(api);

    await benchForecastLoad();
    await benchRetrains('retrain_idle', Number(args.retrains));

    // A second weekly run of everything (another id, a week earlier), with retrains while it trains.
    const busyRun = client.workflow.start('weeklyTraining', {
      workflowId: 'bench-api-busy-training',
      taskQueue: cfg.temporal.taskQueues.training,
      args: [{ ...DEFAULT_TRAINING, asOf: addDays(AS_OF, -7) }],
    });
    const handle = await busyRun;
    // Retrains start once the run's shards are training, not while it snapshots.
    for (;;) {
      const d = (await (await fetch(`${api}/v1/training-runs/bench-api-busy-training`)).json()) as {
        progress?: { stage: string };
      };
      if (d.progress?.stage === 'training') break;
      await sleep(50);
    }
    const running = async () => (await handle.describe()).status.name === 'RUNNING';
    await benchRetrains('retrain_during_weekly_run', Number(args.retrains), running);
    const busy = (await handle.result()) as TrainingReport;
    console.error(`[bench] busy run trained ${busy.counts.fitted} series`);
  } finally {
    await client.connection.close();
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
  await stackDown(cfg);
}
await save();
