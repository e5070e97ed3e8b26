// The `global` engine: one boosted-tree model (ml/tabular/trees/boosting.ts) over the windows of
// every series in a run, so promo, holiday, closure and store-attribute effects are learned from
// all stores at once rather than from one store's 120 days. Target: log(1 + sales) of open days
// with sales, less what the series itself already says:
// - `direct`: less the series' mean log sales over its window; the tree sees the series' level
//   statistics (per weekday, per promo and weekday, the last two weeks) and adds the rest;
// - `residual`: less the series' `fast` fit on that day; the tree corrects what the local ridge
//   misses, on top of its forecast.
// Closed days are 0. A series is described by its own window only, so any series with a window
// (also one the model never saw) can be forecast. Intervals come from out-of-fold residuals
// (intervals.ts), not from this fit.
import { boostingLearner, type BoostingHyper, type BoostingParams } from '../tabular/trees/boosting.ts';
import type { TabularModel } from '../tabular/learner.ts';
import { pathContributions } from '../tabular/trees/flatTree.ts';
import { explainFast, fitFast, predictFast, type FastParams } from './fast.ts';
import { civilFromDays, dayNumber, DRIVERS, type Driver } from './features.ts';
import type { IntervalCalibration } from './intervals.ts';
import { STORE_FEATURE_COUNT, STORE_FEATURE_NAMES, writeStoreFeatures, type StoreAttributes } from './storeFeatures.ts';
import {
  UnfitSeriesError,
  type CalendarDay,
  type FittedModel,
  type ForecastDrivers,
  type ForecastPoint,
  type SeriesDay,
} from './types.ts';

export type GlobalForm = 'direct' | 'residual';

/** A series as the global model sees it: its window (oldest day first) and its store's attributes. */
export interface GlobalSeries {
  key: string;
  history: SeriesDay[];
  store: StoreAttributes | null;
  /** Its `fast` fit on the same window: required by the residual form. */
  local?: FittedModel<FastParams>;
}

export interface GlobalOptions {
  form: GlobalForm;
  hyper: Partial<BoostingHyper>;
  seed: number;
}

// Chosen on the weeks before the accuracy report's last six (bench/README.md).
export const DEFAULT_GLOBAL: GlobalOptions = {
  form: 'direct',
  hyper: {
    trees: 150,
    learningRate: 0.15,
    maxDepth: null,
    maxLeaves: 31,
    minLeaf: 20,
    l2: 1,
    rowFraction: 0.5,
    featureFraction: 0.8,
    earlyStoppingRounds: 0,
    validationFraction: 0,
  },
  seed: 42,
};

export interface GlobalParams {
  form: GlobalForm;
  trees: TabularModel<BoostingParams>;
  /** Series the model was fitted on and rows (open days with sales) it saw. */
  series: number;
  rows: number;
  /** The run's interval calibration (trainWithGlobal.ts calibrateRun); absent in artifacts made before it. */
  calibration?: IntervalCalibration;
}

/** Open days with sales a series needs for its level statistics to mean something. */
export const MIN_LEVEL_DAYS = 14;
// Distances to the nearest closure or holiday stop counting here: a closure 3 weeks away changes nothing.
const DISTANCE_CAP = 14;
const RECENT_DAYS = 14;

const SERIES_FEATURES = [
  'level',
  'level_sd',
  'recent_level',
  'weekday_level',
  'promo_weekday_level',
  'promo_lift',
  // Share of the window's open days with sales the competitor was open on: a window that mixes
  // days before and after an opening has a level between the two, and this says where.
  'competition_share',
] as const;
const CALENDAR_FEATURES = [
  'weekday',
  'day_of_month',
  'week_of_year',
  'month',
  'promo',
  'promo_day',
  'state_holiday',
  'school_holiday',
  'days_since_closure',
  'days_until_closure',
  'days_since_holiday',
  'days_until_holiday',
] as const;
export const GLOBAL_FEATURE_NAMES = [
  ...SERIES_FEATURES,
  ...CALENDAR_FEATURES,
  ...STORE_FEATURE_NAMES,
  'has_store',
  // The fast forecast's log less the level: what the tree corrects in the residual form (0 in the direct one).
  'local_forecast',
] as const;
const FEATURES = GLOBAL_FEATURE_NAMES.length;
const CAL = SERIES_FEATURES.length;
const STORE = CAL + CALENDAR_FEATURES.length;

/** A series' level statistics over its window, on log(1 + sales) of open days with sales. */
export interface Levels {
  level: number;
  sd: number;
  recent: number;
  /** Deviation from level per weekday (0 = Sunday), and per [promo][weekday]. */
  weekday: number[];
  promoWeekday: number[][];
  promoLift: number;
  competitionShare: number;
}

const weekdayOf = (n: number) => (((n + 4) % 7) + 7) % 7; // 0 = Sunday; day 0 (1970-01-01) was a Thursday

function levels(history: readonly SeriesDay[], key: string, store: StoreAttributes | null): Levels {
  const logs: number[] = [];
  const sum = [0, 0, 0, 0, 0, 0, 0];
  const count = [0, 0, 0, 0, 0, 0, 0];
  const pSum = [sum.map(() => 0), sum.map(() => 0)];
  const pCount = [sum.map(() => 0), sum.map(() => 0)];
  for (const d of history) {
    if (!d.open || d.sales <= 0) continue;
    const v = Math.log1p(d.sales);
    const w = weekdayOf(dayNumber(d.date));
    const p = d.promo ? 1 : 0;
    logs.push(v);
    sum[w]! += v;
    count[w]!++;
    pSum[p]![w]! += v;
    pCount[p]![w]!++;
  }
  if (logs.length < MIN_LEVEL_DAYS)
    throw new UnfitSeriesError(
      `${key}: ${logs.length} open days with sales in the window, at least ${MIN_LEVEL_DAYS} needed`,
    );
  const level = logs.reduce((a, b) => a + b, 0) / logs.length;
  const sd = Math.sqrt(logs.reduce((a, b) => a + (b - level) ** 2, 0) / logs.length);
  const recentLogs = logs.slice(-RECENT_DAYS);
  const weekday = sum.map((s, w) => (count[w] ? s / count[w] - level : 0));
  const promoWeekday = [0, 1].map((p) =>
    sum.map((_, w) => (pCount[p]![w] ? pSum[p]![w]! / pCount[p]![w] - level : weekday[w]!)),
  );
  const mean = (p: number) => {
    const n = pCount[p]!.reduce((a, b) => a + b, 0);
    return n ? pSum[p]!.reduce((a, b) => a + b, 0) / n : level;
  };
  return {
    level,
    sd,
    recent: recentLogs.reduce((a, b) => a + b, 0) / recentLogs.length - level,
    weekday,
    promoWeekday,
    promoLift: mean(1) - mean(0),
    competitionShare: store ? competitionShare(history, store) : -1,
  };
}

function competitionShare(history: readonly SeriesDay[], store: StoreAttributes): number {
  const row = new Float64Array(STORE_FEATURE_COUNT);
  const open = STORE_FEATURE_NAMES.indexOf('competition_open');
  let days = 0;
  let on = 0;
  for (const d of history) {
    if (!d.open || d.sales <= 0) continue;
    writeStoreFeatures(store, dayNumber(d.date), row, 0);
    days++;
    on += row[open]!;
  }
  return on / days;
}

/** Days from index i back to the nearest earlier day matching, or forward to the next; capped. */
function distances(
  timeline: readonly CalendarDay[],
  match: (d: CalendarDay) => boolean,
): { since: Int32Array; until: Int32Array } {
  const n = timeline.length;
  const since = new Int32Array(n).fill(DISTANCE_CAP);
  const until = new Int32Array(n).fill(DISTANCE_CAP);
  let last = -Infinity;
  for (let i = 0; i < n; i++) {
    if (match(timeline[i]!)) last = i;
    since[i] = Math.min(DISTANCE_CAP, i - last);
  }
  let next = Infinity;
  for (let i = n - 1; i >= 0; i--) {
    if (match(timeline[i]!)) next = i;
    until[i] = Math.min(DISTANCE_CAP, next - i);
  }
  return { since, until };
}

const HOLIDAY_CODE = { '0': 0, a: 1, b: 2, c: 3 } as const;

/**
 * Rows of features for `timeline[from..]` (history then the days to forecast: closures and
 * holidays are seen across the boundary, as the plan shows them). `local` is the fast forecast's
 * log per row (0 in the direct form).
 */
function featureRows(
  lv: Levels,
  store: StoreAttributes | null,
  timeline: readonly CalendarDay[],
  indices: readonly number[],
  local: readonly number[],
): number[][] {
  const closure = distances(timeline, (d) => !d.open);
  const holiday = distances(timeline, (d) => d.stateHoliday !== '0');
  const storeRow = new Float64Array(STORE_FEATURE_COUNT);
  return indices.map((i, r) => {
    const day = timeline[i]!;
    const n = dayNumber(day.date);
    const w = weekdayOf(n);
    const { year, month, dom } = civilFromDays(n);
    const dayOfYear = n - dayNumber(`${year}-01-01`);
    let promoDay = 0;
    for (let k = i; k >= 0 && timeline[k]!.promo && promoDay < 7; k--) promoDay++;
    const p = day.promo ? 1 : 0;
    const row = new Array<number>(FEATURES);
    row[0] = lv.level;
    row[1] = lv.sd;
    row[2] = lv.recent;
    row[3] = lv.weekday[w]!;
    row[4] = lv.promoWeekday[p]![w]!;
    row[5] = lv.promoLift;
    row[6] = lv.competitionShare;
    row[CAL] = w;
    row[CAL + 1] = dom;
    row[CAL + 2] = Math.floor(dayOfYear / 7);
    row[CAL + 3] = month;
    row[CAL + 4] = p;
    row[CAL + 5] = promoDay;
    row[CAL + 6] = HOLIDAY_CODE[day.stateHoliday];
    row[CAL + 7] = day.schoolHoliday ? 1 : 0;
    row[CAL + 8] = closure.since[i]!;
    row[CAL + 9] = closure.until[i]!;
    row[CAL + 10] = holiday.since[i]!;
    row[CAL + 11] = holiday.until[i]!;
    if (store) {
      writeStoreFeatures(store, n, storeRow, 0);
      for (let j = 0; j < STORE_FEATURE_COUNT; j++) row[STORE + j] = storeRow[j]!;
    } else for (let j = 0; j < STORE_FEATURE_COUNT; j++) row[STORE + j] = -1;
    row[STORE + STORE_FEATURE_COUNT] = store ? 1 : 0;
    row[FEATURES - 1] = local[r]! - lv.level;
    return row;
  });
}

/** The fast fit's log forecast per day (its own calendar), for the residual form. */
function localLogs(local: FittedModel<FastParams> | undefined, key: string, days: CalendarDay[]): number[] {
  if (!local) throw new UnfitSeriesError(`${key}: the residual form of the global engine needs the series' fast fit`);
  return predictFast(local, days).map((pt) => Math.log1p(pt.forecast));
}

/** What a series contributes to training: its open days with sales, as rows and targets. */
function trainingRows(s: GlobalSeries, form: GlobalForm): { x: number[][]; y: number[] } {
  const lv = levels(s.history, s.key, s.store);
  const indices: number[] = [];
  s.history.forEach((d, i) => {
    if (d.open && d.sales > 0) indices.push(i);
  });
  const local = form === 'residual' ? localLogs(s.local, s.key, s.history) : [];
  const base = indices.map((i) => (form === 'residual' ? local[i]! : lv.level));
  const x = featureRows(lv, s.store, s.history, indices, form === 'residual' ? base : indices.map(() => lv.level));
  const y = indices.map((i, r) => Math.log1p(s.history[i]!.sales) - base[r]!);
  return { x, y };
}

/**
 * Fits one model over every series' window. Series that cannot describe themselves (too few open
 * days with sales, or no fast fit in the residual form) are left out and returned by key with why.
 */
export function fitGlobal(
  series: readonly GlobalSeries[],
  options: GlobalOptions = DEFAULT_GLOBAL,
  onRound?: (trees: number, of: number, rows: number) => void,
): { model: FittedModel<GlobalParams>; unfit: { key: string; reason: string }[] } {
  const x: number[][] = [];
  const y: number[] = [];
  const unfit: { key: string; reason: string }[] = [];
  let used = 0;
  for (const s of series) {
    try {
      const rows = trainingRows(s, options.form);
      for (let i = 0; i < rows.x.length; i++) {
        x.push(rows.x[i]!);
        y.push(rows.y[i]!);
      }
      used++;
    } catch (err) {
      if (!(err instanceof UnfitSeriesError)) throw err;
      unfit.push({ key: s.key, reason: err.message });
    }
  }
  if (!x.length) throw new UnfitSeriesError(`no series of ${series.length} can train the global model`);
  const trees = boostingLearner.fit(x, y, options.hyper as BoostingHyper, {
    task: 'regression',
    seed: options.seed,
    ...(onRound ? { onRound: (done: number, of: number) => onRound(done, of, x.length) } : {}),
  });
  return { model: { engine: 'global', params: { form: options.form, trees, series: used, rows: x.length } }, unfit };
}

/**
 * What the model needs of a series to forecast the days after its window, without the window: its
 * level statistics, its store, and the window's last days' calendar (closures, holidays and promo
 * runs are counted across the boundary, up to DISTANCE_CAP days back). Plain JSON, kept in a version.
 */
export interface GlobalSeriesState {
  levels: Levels;
  store: StoreAttributes | null;
  tail: CalendarDay[];
}

export function globalSeriesState(s: Pick<GlobalSeries, 'key' | 'history' | 'store'>): GlobalSeriesState {
  return {
    levels: levels(s.history, s.key, s.store),
    store: s.store,
    tail: s.history.slice(-DISTANCE_CAP).map(({ date, open, promo, stateHoliday, schoolHoliday }) => ({
      date,
      open,
      promo,
      stateHoliday,
      schoolHoliday,
    })),
  };
}

/** The feature rows of the open days among `days` (after the state's tail), and each one's base log. */
function stateRows(
  form: GlobalForm,
  state: GlobalSeriesState,
  days: CalendarDay[],
  local: FittedModel<FastParams> | undefined,
  key: string,
): { open: number[]; base: number[]; x: number[][] } {
  const timeline: CalendarDay[] = [...state.tail, ...days];
  const from = state.tail.length;
  const open: number[] = [];
  days.forEach((d, i) => {
    if (d.open) open.push(i);
  });
  const localDays = form === 'residual' ? localLogs(local, key, days) : [];
  const base = open.map((i) => (form === 'residual' ? localDays[i]! : state.levels.level));
  const x = featureRows(
    state.levels,
    state.store,
    timeline,
    open.map((i) => from + i),
    base,
  );
  return { open, base, x };
}

/**
 * The model's forecast for the days right after a series' window: closed days 0, and a 0-wide
 * interval (the caller widens it from out-of-fold residuals). `local`: the series' fast fit, for
 * the residual form.
 */
export function predictGlobalState(
  model: Pick<GlobalParams, 'form' | 'trees'>,
  state: GlobalSeriesState,
  days: CalendarDay[],
  local?: FittedModel<FastParams>,
  key = 'series',
): ForecastPoint[] {
  const { open, base, x } = stateRows(model.form, state, days, local, key);
  const out = x.length ? boostingLearner.predict(model.trees, x) : [];
  const byDay = new Map(open.map((i, r) => [i, Math.max(0, Math.expm1(base[r]! + out[r]!))]));
  return days.map((d, i) => {
    const v = byDay.get(i) ?? 0;
    return { date: d.date, forecast: v, lower: v, upper: v };
  });
}

// Which driver each feature's contribution goes to: the series' level takes its statistics and
// its store's standing attributes; Promo2 running that month is a promotion.
const DRIVER_OF_GLOBAL_FEATURE: Record<(typeof GLOBAL_FEATURE_NAMES)[number], Driver> = {
  level: 'level',
  level_sd: 'level',
  recent_level: 'level',
  weekday_level: 'weekday',
  promo_weekday_level: 'promo',
  promo_lift: 'promo',
  competition_share: 'level',
  weekday: 'weekday',
  day_of_month: 'month',
  week_of_year: 'season',
  month: 'season',
  promo: 'promo',
  promo_day: 'promo',
  state_holiday: 'holiday',
  school_holiday: 'holiday',
  days_since_closure: 'closure',
  days_until_closure: 'closure',
  days_since_holiday: 'holiday',
  days_until_holiday: 'holiday',
  store_type: 'level',
  assortment: 'level',
  competition_distance: 'level',
  competition_open: 'level',
  competition_months: 'level',
  promo2: 'level',
  promo2_weeks: 'level',
  promo2_month: 'promo',
  has_store: 'level',
  local_forecast: 'level',
};
const DRIVER_OF_COLUMN = GLOBAL_FEATURE_NAMES.map((name) => DRIVER_OF_GLOBAL_FEATURE[name]);

/**
 * Each open day's forecast split by driver, as the trees computed it: the trees' sum on a day is
 * split by feature with path attribution (pathContributions, Saabas), each feature's share goes to
 * its driver, and the trees' starting score joins the level. In the direct form the level starts
 * at the series' mean log sales; in the residual form the trees' drivers multiply the fast fit's
 * own (explainFast). Level x factors = 1 + the forecast, as predictGlobalState gives it.
 */
export function explainGlobalState(
  model: Pick<GlobalParams, 'form' | 'trees'>,
  state: GlobalSeriesState,
  days: CalendarDay[],
  local?: FittedModel<FastParams>,
  key = 'series',
): (ForecastDrivers | null)[] {
  const { open, base, x } = stateRows(model.form, state, days, local, key);
  const localDrivers = model.form === 'residual' && local ? explainFast(local, days) : undefined;
  const { base: start, trees } = model.trees.params;
  const byDay = new Map<number, ForecastDrivers>();
  open.forEach((i, r) => {
    const { bias, contributions } = pathContributions(trees, x[r]!, model.trees.features);
    const logs = Object.fromEntries(DRIVERS.map((d) => [d, 0])) as Record<Driver, number>;
    contributions.forEach((c, j) => (logs[DRIVER_OF_COLUMN[j]!] += c));
    const { level, ...others } = logs;
    const own = localDrivers?.[i];
    byDay.set(i, {
      level: (own ? own.level : Math.exp(base[r]!)) * Math.exp(start + bias + level),
      factors: Object.fromEntries(
        Object.entries(others).map(([d, v]) => [d, (own?.factors[d as keyof typeof own.factors] ?? 1) * Math.exp(v)]),
      ) as ForecastDrivers['factors'],
    });
  });
  return days.map((_, i) => byDay.get(i) ?? null);
}

/** The model's forecast for the days right after a series' window (see predictGlobalState). */
export function predictGlobal(model: FittedModel<GlobalParams>, s: GlobalSeries, days: CalendarDay[]): ForecastPoint[] {
  return predictGlobalState(model.params, globalSeriesState(s), days, s.local, s.key);
}

/** The series' fast fit for the residual form, or undefined where fast cannot fit it. */
export function localFit(history: SeriesDay[]): FittedModel<FastParams> | undefined {
  try {
    return fitFast(history);
  } catch (err) {
    if (err instanceof UnfitSeriesError) return undefined;
    throw err;
  }
}
