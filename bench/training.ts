// `npm run bench:training [-- --rossmann train.csv] [--stores 300]`: the forecast engines.
//   engines: fits per second of each engine on 120-day series (one core, this process);
//   accuracy: generated Rossmann-format data, last 6 weeks held out with weekly cutoffs: each
//             series is fit on the 120 days before a cutoff and forecasts the next 7 days with
//             their actual calendar (as Kaggle's test.csv gives it) and with the assumed one
//             (ml/forecast/calendar.ts, what the weekly run uses); RMSPE, WAPE, bias and interval
//             coverage pooled over all series, per engine; the same on a real train.csv with --rossmann.
// One JSON line per result on stdout, all in bench/results/training.json.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { addDays } from '../domain/dates.ts';
import { assumedCalendar } from '../ml/forecast/calendar.ts';
import { ENGINES, type EngineName } from '../ml/forecast/engines.ts';
import { forecastMetrics } from '../ml/forecast/metrics.ts';
import { UnfitSeriesError, type ForecastPoint, type SeriesDay } from '../ml/forecast/types.ts';
import { generate } from '../scripts/data/generate.ts';
import { quoteFreeCsvLines } from '../scripts/data/lines.ts';
import { trainRowReader } from '../scripts/data/trainRows.ts';
import { ROOT } from '../scripts/stack/paths.ts';

const { values: args } = parseArgs({ options: { rossmann: { type: 'string' }, stores: { type: 'string', default: '300' } } });
const machine = { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
const results: Record<string, unknown>[] = [];
const report = (r: Record<string, unknown>) => {
  const line = { bench: 'training', ...r, machine, at: new Date().toISOString() };
  results.push(line);
  console.log(JSON.stringify(line));
};
const WINDOW_DAYS = 120;
const round = (v: number, digits = 4) => Number(v.toFixed(digits));

/** Every (store, product) series of a train.csv, oldest day first, read with the importer's checks. */
async function readSeries(file: string): Promise<SeriesDay[][]> {
  const series = new Map<string, SeriesDay[]>();
  let read: ReturnType<typeof trainRowReader> | undefined;
  for await (const batch of quoteFreeCsvLines(file)) {
    for (const { fields } of batch) {
      if (!read) { read = trainRowReader(fields, file, { knownStores: { has: () => true }, latestDate: '9999-12-31' }); continue; }
      const r = read(fields);
      if (r.kind !== 'row') continue;
      const key = `${r.row.storeId}|${r.row.product}`;
      const days = series.get(key) ?? [];
      days.push({ date: r.row.date, sales: r.row.sales, open: r.row.open, promo: r.row.promo, stateHoliday: r.row.stateHoliday, schoolHoliday: r.row.schoolHoliday });
      series.set(key, days);
    }
  }
  return [...series.values()].map((days) => days.sort((a, b) => a.date.localeCompare(b.date)));
}

function benchEngines(all: SeriesDay[][]): void {
  const windows = all.map((s) => s.slice(-WINDOW_DAYS)).filter((s) => s.length === WINDOW_DAYS);
  for (const [name, engine] of Object.entries(ENGINES)) {
    let fits = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 3000) {
      for (const s of windows) {
        try { engine.fit(s); } catch (err) { if (!(err instanceof UnfitSeriesError)) throw err; }
        fits++;
      }
    }
    report({ name: 'engine_fits_per_s', engine: name, window_days: WINDOW_DAYS, fits_per_s: Math.round(fits / ((performance.now() - t0) / 1000)) });
  }
}

function benchAccuracy(dataset: string, all: SeriesDay[][]): void {
  const lastDate = all.reduce((max, s) => (s.at(-1)!.date > max ? s.at(-1)!.date : max), '0000-01-01');
  const cutoffs = Array.from({ length: 6 }, (_, w) => addDays(lastDate, -7 * (6 - w)));
  for (const calendar of ['actual', 'assumed'] as const) {
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
          try { model = engine.fit(history); } catch (err) { if (err instanceof UnfitSeriesError) { unfit++; continue; } throw err; }
          const days = calendar === 'actual' ? future : assumedCalendar(history, future.map((d) => d.date));
          points.push(...engine.predict(model as never, days));
          actual.push(...future.map((d) => d.sales));
        }
      }
      const m = forecastMetrics(actual, points);
      report({
        name: 'accuracy', dataset, calendar, engine: name, series: all.length, cutoffs: cutoffs.length, unfit_fits: unfit,
        rmspe: round(m.rmspe), mape: round(m.mape), wape: round(m.wape), bias: round(m.bias), coverage: round(m.coverage), days: m.days,
      });
    }
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'retailflow-bench-training-'));
try {
  generate(['--out', dir, '--stores', args.stores]);
  const generated = await readSeries(path.join(dir, 'train.csv'));
  benchEngines(generated);
  benchAccuracy(`generated (${args.stores} stores, seed 42)`, generated);
  if (args.rossmann) benchAccuracy(`rossmann ${path.basename(args.rossmann)}`, await readSeries(args.rossmann));
} finally {
  await rm(dir, { recursive: true, force: true });
}
await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
await writeFile(path.join(ROOT, 'bench/results/training.json'), JSON.stringify(results, null, 2) + '\n');
