// `npm run bench:shard-steps [-- --shards 30]`: where one training shard's CPU goes, step by step,
// on the data `npm run bench:scale` left in the bench stack: the window read, the snapshot upload,
// the lines' parse (what a fit thread does first), the production lookup, the fits (in this thread,
// their parse included), the results' trip back from a fit thread
// (structured clone) and the save. CPU per series of this process and of its Postgres backend, and
// wall time. Steps run one after another on one connection, so each figure is the step's own.
// The 100,000-series run needs all of them (and Temporal's share) under 1 ms a series on 2 cores.
import { parseArgs } from 'node:util';
import fitTask from '../activities/training/fitTask.ts';
import { DEFAULT_TRAINING, forecastModelName, seriesTrainingOptions, shardStoreRanges } from '../contracts/training.ts';
import type { SeriesTrainingResult } from '../ml/forecast/trainSeries.ts';
import { loadConfig } from '../platform/config.ts';
import { closeDataDeps, createDataDeps } from '../platform/deps.ts';
import { migrate } from '../platform/migrations.ts';
import { productionVersions, saveTrainingResults } from '../platform/registry.ts';
import { seriesWindowLines, windowSeriesPerStore } from '../platform/seriesHistory.ts';
import { stackDown, stackUp } from '../scripts/stack/stack.ts';
import { parseShardLine, seriesKey } from '../activities/training/shardLine.ts';
import { BENCH_ENV } from './profile.ts';
import { processCpuOf } from './processes.ts';
import { benchResults } from './results.ts';

const { values: args } = parseArgs({ options: { shards: { type: 'string', default: '30' } } });
const shardCount = Number(args.shards);
if (!Number.isInteger(shardCount) || shardCount < 1)
  throw new Error(`--shards must be a whole number >= 1, got "${args.shards}"`);
const RUN = 'bench-shard-steps';
const options = { ...DEFAULT_TRAINING, asOf: '2015-07-31' };

/** A process' CPU milliseconds so far (user + system): the Postgres backend's. */
async function cpuMs(pid: number): Promise<number> {
  const used = await processCpuOf(pid);
  if (!used) throw new Error(`process ${pid} has gone`);
  return used.seconds * 1000;
}

Object.assign(process.env, BENCH_ENV);
const cfg = loadConfig();
const { report, save } = benchResults('scale');
await stackUp(cfg);
// One connection, so every step's queries run in the backend measured.
const deps = createDataDeps(cfg, 'bench-shard-steps');
deps.pool.options.max = 1;
try {
  // The schema the code expects: bench:scale migrated the stack when it last ran, maybe before a migration came.
  await migrate(deps.pool);
  const shards = shardStoreRanges(await windowSeriesPerStore(deps.pool, options), options.shardSize);
  if (shards.length < shardCount)
    throw new Error(`the bench stack holds ${shards.length} shards of sales; run npm run bench:scale first`);
  // A first run's work, as in bench:scale: the registry starts empty.
  await deps.pool.query('TRUNCATE forecast_results, training_failures, model_versions, training_runs, models CASCADE');
  const {
    rows: [backend],
  } = await deps.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const totals: Record<string, { node: number; postgres: number; wall: number }> = {};
  const step = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const node = process.cpuUsage();
    const postgres = await cpuMs(backend!.pid);
    const wall = performance.now();
    const result = await work();
    const used = process.cpuUsage(node);
    const t = (totals[name] ??= { node: 0, postgres: 0, wall: 0 });
    t.node += (used.user + used.system) / 1000;
    t.postgres += (await cpuMs(backend!.pid)) - postgres;
    t.wall += performance.now() - wall;
    return result;
  };
  let series = 0;
  let snapshotBytes = 0;
  for (let shard = 0; shard < shardCount; shard++) {
    const [first, last] = shards[shard]!;
    const text = await step('read', async () => {
      const lines: string[] = [];
      for await (const line of seriesWindowLines(deps.pool, {
        ...options,
        planDays: options.horizon,
        stores: { first, last },
      }))
        lines.push(line);
      return lines.join('');
    });
    await step('snapshot', () => deps.store.write(`${RUN}/${shard}.ndjson`, text, 'application/x-ndjson'));
    const lines = text.split('\n').filter(Boolean);
    const keys = lines.map((line) => seriesKey(line, `shard ${shard}`));
    await step('parse', () => lines.map(parseShardLine));
    const production = await step('production', () => productionVersions(deps.pool, keys, RUN));
    const results = await step('fit', () =>
      fitTask({
        lines,
        production: keys.map((k) => production.get(forecastModelName(k.storeId, k.product))),
        options: seriesTrainingOptions(options),
      }),
    );
    const received = await step('clone', () => structuredClone(results) as SeriesTrainingResult[]);
    await step('save', () =>
      saveTrainingResults(
        deps.pool,
        RUN,
        keys.map((k, i) => ({
          ...k,
          production: production.get(forecastModelName(k.storeId, k.product)),
          result: received[i]!,
        })),
      ),
    );
    series += lines.length;
    snapshotBytes += Buffer.byteLength(text);
  }
  const perSeries = (ms: number) => Number((ms / series).toFixed(4));
  report({
    name: 'shard_steps',
    series,
    shards: shardCount,
    snapshot_bytes_per_series: Math.round(snapshotBytes / series),
    ms_per_series: Object.fromEntries(
      Object.entries(totals).map(([name, t]) => [
        name,
        { node_cpu: perSeries(t.node), postgres_cpu: perSeries(t.postgres), wall: perSeries(t.wall) },
      ]),
    ),
    note: 'one shard at a time, each step on its own (fit parses its lines again); fake-gcs-server and Temporal CPU not included',
  });
} finally {
  await closeDataDeps(deps);
  await stackDown(cfg);
}
await save((earlier) => earlier.name !== 'shard_steps');
