// The accuracy of the `global` engine and of the per-series choice, with bench:training's protocol:
// at each weekly cutoff every series has the WINDOW days before it and forecasts the next 7 days
// with the actual calendar and with the assumed one. The global model is fitted once per cutoff
// over all series' windows (direct form and residual form on top of `fast`). The choice at a
// cutoff uses the 3 weekly folds before it (each fold's models fitted at that fold's own cutoff,
// with its actual calendar, as a backtest does): each series takes the candidate (fast, global,
// blend) with the lowest RMSPE there, and its interval comes from that candidate's fold residuals
// and the cutoff's calibration over all series (ml/forecast/intervals.ts), as a weekly run's does;
// `fast_calibrated` is fast with such an interval (a series of a run that chose fast).
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { addDays } from '../domain/dates.ts';
import { csvParser, recordReader, type ParsedRecord } from '../platform/csvRecords.ts';
import { parseStoreRecord, STORE_COLUMNS } from '../platform/storeRows.ts';
import { assumedCalendar } from '../ml/forecast/calendar.ts';
import { blendPoints, CANDIDATES, chooseCandidate, type Candidate, type ChoicePolicy } from '../ml/forecast/choice.ts';
import { predictFast } from '../ml/forecast/fast.ts';
import {
  fitGlobal,
  localFit,
  predictGlobal,
  type GlobalForm,
  type GlobalOptions,
  type GlobalSeries,
} from '../ml/forecast/global.ts';
import { calibrateIntervals, logResiduals, withInterval } from '../ml/forecast/intervals.ts';
import { forecastMetrics, type ForecastMetrics } from '../ml/forecast/metrics.ts';
import { storeAttributes, type StoreAttributes } from '../ml/forecast/storeFeatures.ts';
import { UnfitSeriesError, type CalendarDay, type ForecastPoint, type SeriesDay } from '../ml/forecast/types.ts';

export interface BenchSeries {
  key: string;
  store: StoreAttributes | null;
  days: SeriesDay[];
}

/** A store.csv's stores as attributes, read with the importer's checks; a rejected line fails the bench, naming it. */
export async function readStoreAttributes(file: string): Promise<Map<number, StoreAttributes>> {
  const stores = new Map<number, StoreAttributes>();
  const read = recordReader(STORE_COLUMNS, file);
  await pipeline(createReadStream(file), csvParser(), async (records: AsyncIterable<ParsedRecord>) => {
    for await (const { record, info } of records) {
      const parsed = read(record);
      if (!parsed) continue;
      if ('wrongLength' in parsed) throw new Error(`${file} line ${info.lines}: ${parsed.wrongLength}`);
      const r = parseStoreRecord(parsed.record);
      if (!r.ok) throw new Error(`${file} line ${info.lines}: ${r.reason}`);
      const [storeId, storeType, assortment, distance, sinceMonth, sinceYear, promo2, week, year, interval] = r.values;
      stores.set(
        storeId,
        storeAttributes(
          {
            storeType,
            assortment,
            competitionDistance: distance,
            competitionOpenSinceMonth: sinceMonth,
            competitionOpenSinceYear: sinceYear,
            promo2,
            promo2SinceWeek: week,
            promo2SinceYear: year,
            promoInterval: interval,
          },
          `${file} store ${storeId}`,
        ),
      );
    }
  });
  return stores;
}

const CALENDARS = ['actual', 'assumed'] as const;
type CalendarKind = (typeof CALENDARS)[number];
const FORMS: GlobalForm[] = ['direct', 'residual'];

interface SeriesForecasts {
  actual: number[];
  /** By calendar: fast's points and each global form's (absent where the engine could not fit). */
  points: Record<CalendarKind, { fast?: ForecastPoint[]; direct?: ForecastPoint[]; residual?: ForecastPoint[] }>;
}

export interface GlobalAccuracyOptions {
  windowDays: number;
  cutoffs: string[];
  folds: number;
  horizon: number;
  intervalWidth: number;
  global: GlobalOptions;
  /** Choice policies to report, each as its own row (`choice` for the first, `choice_<name>` for others). */
  choices: { name: string; policy: ChoicePolicy }[];
  /** Windows per series the global model learns from: the one ending at the cutoff and up to stack - 1 before it. */
  stack: number;
}

export interface GlobalAccuracyRow extends ForecastMetrics {
  calendar: CalendarKind;
  engine: string;
  unfit: number;
  chosen?: Record<Candidate, number>;
}

/** Every series' forecasts from the models fitted at one cutoff, and the global fits' timings. */
function forecastsAt(all: readonly BenchSeries[], cutoff: string, o: GlobalAccuracyOptions) {
  const first = addDays(cutoff, -o.windowDays);
  const last = addDays(cutoff, o.horizon);
  const windows = all.map((s) => {
    const history = s.days.filter((d) => d.date > first && d.date <= cutoff);
    const future = s.days.filter((d) => d.date > cutoff && d.date <= last);
    const series: GlobalSeries = {
      key: s.key,
      history,
      store: s.store,
      local: history.length ? localFit(history) : undefined,
    };
    return { series, future };
  });
  const usable = windows.filter((w) => w.series.history.length > 0);
  // Earlier windows of the same series: more of the year (holidays, seasons) for the global model only.
  const earlier: GlobalSeries[] = [];
  for (let k = 1; k < o.stack; k++) {
    const end = addDays(cutoff, -o.windowDays * k);
    const start = addDays(end, -o.windowDays);
    for (const s of all) {
      const history = s.days.filter((d) => d.date > start && d.date <= end);
      if (history.length >= o.windowDays / 2)
        earlier.push({ key: `${s.key}@${end}`, history, store: s.store, local: localFit(history) });
    }
  }
  const fitSeconds: Record<GlobalForm, number> = { direct: 0, residual: 0 };
  const models = Object.fromEntries(
    FORMS.map((form) => {
      const t0 = performance.now();
      const { model } = fitGlobal(
        [...usable.map((w) => w.series), ...earlier].filter((s) => form === 'direct' || s.local),
        { ...o.global, form },
      );
      fitSeconds[form] = (performance.now() - t0) / 1000;
      return [form, model];
    }),
  ) as Record<GlobalForm, ReturnType<typeof fitGlobal>['model']>;
  const out = new Map<string, SeriesForecasts>();
  for (const { series, future } of usable) {
    if (!future.length) continue;
    const calendars: Record<CalendarKind, CalendarDay[]> = {
      actual: future,
      assumed: assumedCalendar(
        series.history,
        future.map((d) => d.date),
      ),
    };
    const points = {} as SeriesForecasts['points'];
    for (const cal of CALENDARS) {
      const days = calendars[cal];
      const p: SeriesForecasts['points'][CalendarKind] = {};
      if (series.local) p.fast = predictFast(series.local, days);
      for (const form of FORMS) {
        try {
          p[form] = predictGlobal(models[form], series, days);
        } catch (err) {
          if (!(err instanceof UnfitSeriesError)) throw err;
        }
      }
      points[cal] = p;
    }
    out.set(series.key, { actual: future.map((d) => d.sales), points });
  }
  return { forecasts: out, fitSeconds, rows: Object.fromEntries(FORMS.map((f) => [f, models[f].params.rows])) };
}

type Pts = ForecastPoint[] | undefined;
const candidatePoints = (
  p: { fast?: ForecastPoint[] } & Partial<Record<GlobalForm, ForecastPoint[]>>,
  form: GlobalForm,
) =>
  ({
    fast: p.fast,
    global: p[form],
    blend: p.fast && p[form] ? blendPoints(p.fast, p[form]) : undefined,
  }) satisfies Record<Candidate, Pts>;

export function globalAccuracy(
  all: readonly BenchSeries[],
  o: GlobalAccuracyOptions,
  log: (line: Record<string, unknown>) => void = () => {},
): GlobalAccuracyRow[] {
  const dates = [
    ...new Set(o.cutoffs.flatMap((c) => Array.from({ length: o.folds + 1 }, (_, k) => addDays(c, -7 * (o.folds - k))))),
  ].sort();
  const at = new Map<string, Map<string, SeriesForecasts>>();
  for (const date of dates) {
    const t0 = performance.now();
    const r = forecastsAt(all, date, o);
    at.set(date, r.forecasts);
    log({
      cutoff: date,
      seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
      global_fit_s: r.fitSeconds,
      rows: r.rows,
    });
  }
  // Per engine and calendar: pooled actuals and points over all test cutoffs.
  const pooled = new Map<
    string,
    { actual: number[]; points: ForecastPoint[]; unfit: number; chosen?: Record<Candidate, number> }
  >();
  const add = (engine: string, cal: CalendarKind, actual: number[], points: Pts) => {
    const key = `${engine}|${cal}`;
    const p = pooled.get(key) ?? { actual: [], points: [], unfit: 0 };
    if (points) {
      p.actual.push(...actual);
      p.points.push(...points);
    } else p.unfit++;
    pooled.set(key, p);
  };
  for (const cutoff of o.cutoffs) {
    const test = at.get(cutoff)!;
    const foldDates = Array.from({ length: o.folds }, (_, k) => addDays(cutoff, -7 * (o.folds - k)));
    for (const form of FORMS) {
      const suffix = form === 'direct' ? '' : '_residual';
      // Each series' fold forecasts (actual calendar), per candidate; missing anywhere: fast serves.
      const folds = new Map<string, { choice: Record<string, Candidate>; residuals: Record<Candidate, number[]> }>();
      for (const [key] of test) {
        const actual: number[] = [];
        const points: Record<Candidate, ForecastPoint[]> = { fast: [], global: [], blend: [] };
        let complete = true;
        for (const d of foldDates) {
          const f = at.get(d)!.get(key);
          const c = f && candidatePoints(f.points.actual, form);
          if (!f || !c?.fast || !c.global || !c.blend) {
            complete = false;
            break;
          }
          actual.push(...f.actual);
          for (const name of CANDIDATES) points[name].push(...c[name]!);
        }
        if (!complete || !actual.some((y) => y > 0)) continue;
        const choice = Object.fromEntries(
          o.choices.map(({ name, policy }) => [name, chooseCandidate({ actual, points }, policy).candidate]),
        );
        const residuals = Object.fromEntries(CANDIDATES.map((n) => [n, logResiduals(actual, points[n])])) as Record<
          Candidate,
          number[]
        >;
        folds.set(key, { choice, residuals });
      }
      const calibration = (pick: (f: { choice: Record<string, Candidate> }) => Candidate) =>
        calibrateIntervals(
          [...folds.values()].map((f) => f.residuals[pick(f)]),
          o.intervalWidth,
        );
      const fastCal = calibration(() => 'fast');
      const globalCal = calibration(() => 'global');
      const blendCal = calibration(() => 'blend');
      const choiceCal = Object.fromEntries(o.choices.map(({ name }) => [name, calibration((f) => f.choice[name]!)]));
      for (const cal of CALENDARS) {
        for (const [key, f] of test) {
          const c = candidatePoints(f.points[cal], form);
          const fold = folds.get(key);
          const res = (n: Candidate) => fold?.residuals[n] ?? [];
          if (form === 'direct') {
            add('fast', cal, f.actual, c.fast);
            add('fast_calibrated', cal, f.actual, c.fast && withInterval(c.fast, res('fast'), fastCal));
          }
          add(`global${suffix}`, cal, f.actual, c.global && withInterval(c.global, res('global'), globalCal));
          add(`blend${suffix}`, cal, f.actual, c.blend && withInterval(c.blend, res('blend'), blendCal));
          o.choices.forEach(({ name }, i) => {
            const picked = fold?.choice[name];
            const serve: Candidate = picked && c[picked] ? picked : 'fast';
            const pts = c[serve];
            const engine = `choice${i ? `_${name}` : ''}${suffix}`;
            add(
              engine,
              cal,
              f.actual,
              pts && (fold ? withInterval(pts, fold.residuals[serve], choiceCal[name]!) : pts),
            );
            const p = pooled.get(`${engine}|${cal}`)!;
            p.chosen = { ...{ fast: 0, global: 0, blend: 0 }, ...p.chosen };
            p.chosen[serve]++;
          });
        }
      }
    }
  }
  return [...pooled].map(([key, p]) => {
    const [engine, calendar] = key.split('|') as [string, CalendarKind];
    const m = forecastMetrics(p.actual, p.points);
    return { calendar, engine, ...m, unfit: p.unfit, ...(p.chosen ? { chosen: p.chosen } : {}) };
  });
}
