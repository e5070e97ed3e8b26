// `npm run bench:training [-- --rossmann train.csv] [--store-file store.csv] [--stores 300] [--weeks-back 0] [--global-windows 1] [--skip-e2e] [--e2e-only] [--global-accuracy-only]`: the forecast engines.
//   engines: fits per second of each engine on 120-day series (one core, this process);
//   accuracy: generated Rossmann-format data, last 6 weeks held out with weekly cutoffs: each
//             series is fit on the 120 days before a cutoff and forecasts the next 7 days with
//             their actual calendar (as Kaggle's test.csv gives it) and with the assumed one
//             (ml/forecast/calendar.ts, what the weekly run uses); RMSPE, WAPE, bias and interval
//             coverage pooled over all series, per engine; the same on a real train.csv with --rossmann;
//             also the global engine (direct and residual forms, fitted per cutoff over all series
//             with the store file's attributes), fast + global blended, and the per-series choice
//             between fast, global and the blend by 3 weekly backtest folds (bench/globalAccuracy.ts);
//             --weeks-back N moves the six cutoffs N weeks earlier, where settings are chosen;
//             --global-windows N lets the global model also learn from the N - 1 windows before;
//   end to end: on the bench stack, 1,115 stores x 10 products of generated history in Postgres,
//             weeklyTraining through Temporal (snapshot, shards, fits, registry, forecasts) with one
//             training worker process: 1,115 series, then 11,150, with `fast`, then both again with
//             the global step (one global fit, each series choosing fast, global or the blend); 1,115 with `prophet`;
//             models/s and the worker's peak RSS.
// --global-accuracy-only runs only the global engine's, the blend's and the choice's accuracy (no
// per-engine fits, no prophet: minutes, not half an hour). One JSON line per result on stdout, all in
// bench/results/training.json; a partial run replaces only the lines it measured again.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { addDays } from '../domain/dates.ts';
import { assumedCalendar } from '../ml/forecast/calendar.ts';
import { ENGINES, type EngineName } from '../ml/forecast/engines.ts';
import { DEFAULT_CHOICE, LOWEST_RMSPE } from '../ml/forecast/choice.ts';
import { DEFAULT_GLOBAL } from '../ml/forecast/global.ts';
import { forecastMetrics } from '../ml/forecast/metrics.ts';
import type { StoreAttributes } from '../ml/forecast/storeFeatures.ts';
import { trainSeries } from '../ml/forecast/trainSeries.ts';
import { UnfitSeriesError, type ForecastPoint, type SeriesDay } from '../ml/forecast/types.ts';
import { generate } from '../scripts/data/generate.ts';
import { quoteFreeCsvLines } from '../platform/csvLines.ts';
import { trainRowReader } from '../platform/trainRows.ts';
import { closeDataDeps, createDataDeps } from '../platform/deps.ts';
import { DEFAULT_TRAINING, type TrainingReport } from '../contracts/training.ts';
import { loadConfig } from '../platform/config.ts';
import { armProphet } from '../platform/prophetWasm.ts';
import { provision } from '../platform/provision.ts';
import { connectClient } from '../platform/temporal.ts';
import { importStores } from '../platform/storeImport.ts';
import { importTrain } from '../platform/salesImport.ts';
import { stackDown, stackUp, stackWipe } from '../scripts/stack/stack.ts';
import { WORKER_NODE_FLAGS } from '../workers/nodeFlags.ts';
import { BENCH_ENV } from './profile.ts';
import { peakRssMiB, startProcess } from './processes.ts';
import { globalAccuracy, readStoreAttributes } from './globalAccuracy.ts';
import { benchResults } from './results.ts';

const { values: args } = parseArgs({
  options: {
    rossmann: { type: 'string' },
    stores: { type: 'string', default: '300' },
    'store-file': { type: 'string' },
    'weeks-back': { type: 'string', default: '0' },
    'global-windows': { type: 'string', default: '1' },
    'skip-e2e': { type: 'boolean', default: false },
    'e2e-only': { type: 'boolean', default: false },
    'global-accuracy-only': { type: 'boolean', default: false },
  },
});
const globalWindows = Number(args['global-windows']);
if (!Number.isInteger(globalWindows) || globalWindows < 1)
  throw new Error(`--global-windows must be a whole number >= 1, got ${args['global-windows']}`);
for (const option of ['rossmann', 'store-file'] as const) {
  const file = args[option];
  if (file !== undefined && !existsSync(file)) throw new Error(`--${option}: no file at ${file}`);
}
const weeksBack = Number(args['weeks-back']);
if (!Number.isInteger(weeksBack) || weeksBack < 0)
  throw new Error(`--weeks-back must be a whole number of weeks >= 0, got ${args['weeks-back']}`);
// A result is the same measurement as an earlier one when these say so; the earlier ones this run
// did not measure again (all of them after --e2e-only, --skip-e2e or --global-accuracy-only) are kept.
const IDENTITY = ['name', 'dataset', 'calendar', 'engine', 'store_file', 'series', 'cutoff', 'window_days'];
const identity = (r: Record<string, unknown>) => JSON.stringify(IDENTITY.map((k) => r[k]));
const { report: reportLine, save } = benchResults('training');
const measured = new Set<string>();
const report = (result: Record<string, unknown>) => {
  measured.add(identity(result));
  reportLine(result);
};
armProphet();
const WINDOW_DAYS = 120;
const round = (v: number, digits = 4) => Number(v.toFixed(digits));

/** Every (store, product) series of a train.csv, oldest day first, read with the importer's checks. */
async function readSeries(file: string): Promise<{ key: string; storeId: number; days: SeriesDay[] }[]> {
  const series = new Map<string, { key: string; storeId: number; days: SeriesDay[] }>();
  let read: ReturnType<typeof trainRowReader> | undefined;
  for await (const batch of quoteFreeCsvLines(file)) {
    for (const { fields } of batch) {
      if (!read) {
        read = trainRowReader(fields, file, { knownStores: { has: () => true }, latestDate: '9999-12-31' });
        continue;
      }
      const r = read(fields);
      if (r.kind !== 'row') continue;
      const key = `${r.row.storeId}|${r.row.product}`;
      const entry = series.get(key) ?? { key, storeId: r.row.storeId, days: [] };
      entry.days.push({
        date: r.row.date,
        sales: r.row.sales,
        open: r.row.open,
        promo: r.row.promo,
        stateHoliday: r.row.stateHoliday,
        schoolHoliday: r.row.schoolHoliday,
      });
      series.set(key, entry);
    }
  }
  for (const s of series.values()) s.days.sort((a, b) => a.date.localeCompare(b.date));
  return [...series.values()];
}

type Series = Awaited<ReturnType<typeof readSeries>>[number];

function benchEngines(series: Series[]): void {
  const windows = series.map((s) => s.days.slice(-WINDOW_DAYS)).filter((s) => s.length === WINDOW_DAYS);
  for (const [name, engine] of Object.entries(ENGINES)) {
    let fits = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 3000) {
      for (const s of windows) {
        try {
          engine.fit(s);
        } catch (err) {
          if (!(err instanceof UnfitSeriesError)) throw err;
        }
        fits++;
      }
    }
    report({
      name: 'engine_fits_per_s',
      engine: name,
      window_days: WINDOW_DAYS,
      fits_per_s: Math.round(fits / ((performance.now() - t0) / 1000)),
    });
  }
  // What a training run does per series: final fit, 3 backtest folds, promotion decision, 7-day forecast.
  let trained = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 3000) {
    for (const s of windows) {
      trainSeries(s, undefined, {
        engine: 'fast',
        asOf: s.at(-1)!.date,
        horizon: 7,
        backtestFolds: 3,
        promotionMargin: 0.05,
        intervalWidth: 0.95,
      });
      trained++;
    }
  }
  report({
    name: 'series_trained_per_s',
    engine: 'fast',
    window_days: WINDOW_DAYS,
    per_thread: Math.round(trained / ((performance.now() - t0) / 1000)),
  });
}

function benchAccuracy(
  dataset: string,
  series: Series[],
  stores: Map<number, StoreAttributes> | null,
  { engines = true } = {},
): void {
  const all = series.map((s) => s.days);
  const lastDate = all.reduce((max, s) => (s.at(-1)!.date > max ? s.at(-1)!.date : max), '0000-01-01');
  // --weeks-back moves all six cutoffs earlier: settings are chosen there, not on the reported weeks.
  const end = addDays(lastDate, -7 * weeksBack);
  const cutoffs = Array.from({ length: 6 }, (_, w) => addDays(end, -7 * (6 - w)));
  for (const calendar of engines ? (['actual', 'assumed'] as const) : []) {
    for (const [name, engine] of Object.entries(ENGINES) as [EngineName, (typeof ENGINES)[EngineName]][]) {
      const actual: number[] = [];
      const points: ForecastPoint[] = [];
      let unfit = 0;
      for (const series of all) {
        for (const cutoff of cutoffs) {
          const history = series.filter((d) => d.date <= cutoff && d.date > addDays(cutoff, -WINDOW_DAYS));
          const future = series.filter((d) => d.date > cutoff && d.date <= addDays(cutoff, 7));
          if (!history.length || !future.length) continue;
          let model;
          try {
            model = engine.fit(history);
          } catch (err) {
            if (err instanceof UnfitSeriesError) {
              unfit++;
              continue;
            }
            throw err;
          }
          const days =
            calendar === 'actual'
              ? future
              : assumedCalendar(
                  history,
                  future.map((d) => d.date),
                );
          points.push(...engine.predict(model as never, days));
          actual.push(...future.map((d) => d.sales));
        }
      }
      const m = forecastMetrics(actual, points);
      report({
        name: 'accuracy',
        dataset,
        calendar,
        engine: name,
        series: all.length,
        cutoffs: cutoffs.length,
        last_cutoff: cutoffs.at(-1),
        unfit_fits: unfit,
        rmspe: round(m.rmspe),
        mape: round(m.mape),
        wape: round(m.wape),
        bias: round(m.bias),
        coverage: round(m.coverage),
        days: m.days,
      });
    }
  }
  // The global engine (both forms), fast + global blended, and the per-series choice between them.
  const rows = globalAccuracy(
    series.map((s) => ({ key: s.key, days: s.days, store: stores?.get(s.storeId) ?? null })),
    {
      windowDays: WINDOW_DAYS,
      cutoffs,
      folds: 3,
      horizon: 7,
      intervalWidth: 0.95,
      global: DEFAULT_GLOBAL,
      stack: globalWindows,
      choices: [
        { name: 'policy', policy: DEFAULT_CHOICE },
        { name: 'lowest', policy: LOWEST_RMSPE },
      ],
    },
    (line) => report({ name: 'global_fit', dataset, ...line }),
  );
  for (const r of rows)
    report({
      name: 'accuracy',
      dataset,
      calendar: r.calendar,
      engine: r.engine,
      series: all.length,
      store_file: stores !== null,
      cutoffs: cutoffs.length,
      last_cutoff: cutoffs.at(-1),
      unfit_fits: r.unfit,
      rmspe: round(r.rmspe),
      mape: round(r.mape),
      wape: round(r.wape),
      bias: round(r.bias),
      coverage: round(r.coverage),
      days: r.days,
      ...(r.chosen ? { chosen: r.chosen } : {}),
    });
}

async function benchEndToEnd(dir: string): Promise<void> {
  Object.assign(process.env, BENCH_ENV);
  const cfg = loadConfig();
  await stackWipe(cfg);
  await stackUp(cfg);
  try {
    await provision(cfg);
    const deps = createDataDeps(cfg, 'retailflow-bench');
    const asOf = '2015-07-31';
    try {
      generate(['--out', dir, '--stores', '1115', '--products', '10', '--from', '2015-03-01', '--to', asOf]);
      await importStores(deps.pool, path.join(dir, 'store.csv'));
      await importTrain(deps, path.join(dir, 'train.csv'), { warehouse: false });
    } finally {
      await closeDataDeps(deps);
    }
    const worker = startProcess('workers/training.ts', WORKER_NODE_FLAGS);
    const client = await connectClient(cfg.temporal);
    try {
      // Warm-up (not reported): the worker bundles its workflows and starts its threads first.
      await client.workflow.execute('weeklyTraining', {
        workflowId: 'bench-training-warmup',
        taskQueue: cfg.temporal.taskQueues.training,
        args: [{ ...DEFAULT_TRAINING, asOf: '2015-07-24', products: ['p10'] }],
      });
      const runs = [
        ['fast', '1,115 series', ['p01'], false],
        ['fast', '11,150 series', undefined, false],
        ['fast', '1,115 series', ['p01'], true],
        ['fast', '11,150 series', undefined, true],
        ['prophet', '1,115 series', ['p01'], false],
      ] as const;
      for (const [engine, name, products, global] of runs) {
        const t0 = performance.now();
        const run = (await client.workflow.execute('weeklyTraining', {
          workflowId: `bench-training-${engine}${global ? '-global' : ''}-${products ? 'p01' : 'all'}`,
          taskQueue: cfg.temporal.taskQueues.training,
          args: [{ ...DEFAULT_TRAINING, engine, asOf, global, ...(products ? { products: [...products] } : {}) }],
        })) as TrainingReport;
        const seconds = (performance.now() - t0) / 1000;
        report({
          name: 'end_to_end',
          series: name,
          engine: global ? `${run.engine} + global (per-series choice)` : run.engine,
          counts: run.counts,
          ...(run.global ? { global_fit_s: round(run.global.fitSeconds, 2), global_rows: run.global.rows } : {}),
          seconds: round(seconds, 2),
          models_per_s: Math.round(run.counts.series / seconds),
          rmspe_p50: run.metrics.rmspe?.p50,
          worker_peak_rss_mib: await peakRssMiB(worker.pid!),
          target:
            engine === 'prophet'
              ? '1,115 models in <= 90 s'
              : global
                ? '11,150 series in <= 30 s, global fit included'
                : '11,150 models in <= 15 s (>= 1,000 models/s)',
        });
      }
    } finally {
      await client.connection.close();
      worker.kill('SIGTERM');
    }
  } finally {
    await stackDown(cfg);
  }
}

const globalOnly = args['global-accuracy-only'];
const dir = await mkdtemp(path.join(os.tmpdir(), 'retailflow-bench-training-'));
try {
  if (!args['e2e-only']) {
    generate(['--out', dir, '--stores', args.stores]);
    const generated = await readSeries(path.join(dir, 'train.csv'));
    if (!globalOnly) benchEngines(generated);
    benchAccuracy(
      `generated (${args.stores} stores, seed 42)`,
      generated,
      await readStoreAttributes(path.join(dir, 'store.csv')),
      { engines: !globalOnly },
    );
    if (args.rossmann) {
      // The stores file: as given, else a store.csv beside train.csv, else none (the global model without it).
      const beside = path.join(path.dirname(args.rossmann), 'store.csv');
      const storeFile = args['store-file'] ?? (existsSync(beside) ? beside : undefined);
      benchAccuracy(
        `rossmann ${path.basename(args.rossmann)}${storeFile ? ` + ${path.basename(storeFile)}` : ''}`,
        await readSeries(args.rossmann),
        storeFile ? await readStoreAttributes(storeFile) : null,
        { engines: !globalOnly },
      );
    }
  }
  if (!args['skip-e2e'] && !globalOnly) await benchEndToEnd(path.join(dir, 'e2e'));
} finally {
  await rm(dir, { recursive: true, force: true });
}
await save((earlier) => !measured.has(identity(earlier)));
