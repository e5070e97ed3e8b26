// The `fast` engine: a ridge regression of log(1 + sales) on calendar features (features.ts),
// fit in closed form, then refit once with Huber weights so a few odd days do not pull it (a
// second refit changed no accuracy metric and cost fits/s: bench/README.md).
// Assumptions:
// - sales are multiplicative in the features: weekday, promo (with its own weekday profile),
//   state and school holidays, the days around closures, month start/end, a linear trend and
//   yearly seasonality (3 Fourier pairs, shrunk harder when the window is shorter than a year);
// - closed days carry no information about demand: excluded from the fit, forecast as 0;
// - the interval comes from the fit's residual quantiles, widened by sqrt(n / (n - p)) for the
//   parameters spent; it assumes tomorrow's errors look like the window's.
import { choleskySolve } from '../linalg.ts';
import {
  dayNumber,
  DRIVER_OF_FEATURE,
  DRIVERS,
  FEATURE_COUNT,
  FIRST_YEARLY,
  writeFeatures,
  type Driver,
} from './features.ts';
import {
  DEFAULT_FIT_OPTIONS,
  UnfitSeriesError,
  type CalendarDay,
  type Engine,
  type FitOptions,
  type FittedModel,
  type ForecastDrivers,
  type ForecastPoint,
  type SeriesDay,
} from './types.ts';

export interface FastParams {
  /** Feature weights on log(1 + sales), in FEATURE_NAMES order. */
  coef: number[];
  /** Day number trend counts from. */
  origin: number;
  /** Residual quantiles (log scale) for the interval. */
  lower: number;
  upper: number;
  /** Whether the last day of history was open (for "after closure" on the first forecast day). */
  lastOpen: boolean;
  /** Open days with sales the fit used. */
  observations: number;
}

export const MIN_OPEN_DAYS = 28;
// Light shrinkage, so rare days (holidays) keep their effect; Huber only for gross outliers.
const RIDGE = 0.1;
const HUBER_K = 2.5;
const IRLS_STEPS = 1;

function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Refuses series no regression can be trusted on, naming why. */
function checkFittable(history: SeriesDay[]): void {
  const sold = history.filter((d) => d.open && d.sales > 0).length;
  if (!history.some((d) => d.sales > 0))
    throw new UnfitSeriesError(`no sales in the ${history.length} days of history`);
  let closedTail = 0;
  for (let i = history.length - 1; i >= 0 && !history[i]!.open; i--) closedTail++;
  if (closedTail >= MIN_OPEN_DAYS) throw new UnfitSeriesError(`closed for the last ${closedTail} days`);
  if (sold < MIN_OPEN_DAYS)
    throw new UnfitSeriesError(`too short: ${sold} open days with sales, at least ${MIN_OPEN_DAYS} needed`);
}

/**
 * The design matrix with only its non-zero entries per row: most features are 0/1 indicators, so a
 * row has about 12 non-zeros of 26, and the normal equations cost a fifth of the dense sums.
 */
interface SparseRows {
  n: number;
  index: Int32Array;
  value: Float64Array;
  count: Int32Array;
}

function sparseRows(dense: Float64Array, n: number): SparseRows {
  const p = FEATURE_COUNT;
  const rows: SparseRows = {
    n,
    index: new Int32Array(n * p),
    value: new Float64Array(n * p),
    count: new Int32Array(n),
  };
  for (let r = 0; r < n; r++) {
    let k = r * p;
    for (let j = 0; j < p; j++) {
      const v = dense[r * p + j]!;
      if (v !== 0) {
        rows.index[k] = j;
        rows.value[k] = v;
        k++;
      }
    }
    rows.count[r] = k - r * p;
  }
  return rows;
}

function fitted(x: SparseRows, r: number, coef: Float64Array): number {
  let sum = 0;
  for (let k = r * FEATURE_COUNT, end = k + x.count[r]!; k < end; k++) sum += x.value[k]! * coef[x.index[k]!]!;
  return sum;
}

/** Weighted ridge solution of X b = y; `penalty` per feature (near 0 for the intercept). */
function solveRidge(x: SparseRows, y: Float64Array, w: Float64Array, penalty: Float64Array): Float64Array {
  const p = FEATURE_COUNT;
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  for (let r = 0; r < x.n; r++) {
    const start = r * p;
    const end = start + x.count[r]!;
    const wr = w[r]!;
    for (let a = start; a < end; a++) {
      const i = x.index[a]!;
      const xi = x.value[a]! * wr;
      xty[i]! += xi * y[r]!;
      for (let b = a; b < end; b++) xtx[i * p + x.index[b]!]! += xi * x.value[b]!;
    }
  }
  // Indices ascend within a row, so only the upper triangle was summed: mirror it.
  for (let i = 0; i < p; i++) {
    xtx[i * p + i]! += penalty[i]!;
    for (let j = i + 1; j < p; j++) xtx[j * p + i] = xtx[i * p + j]!;
  }
  return choleskySolve(xtx, xty, p);
}

/** The features of a history's open days with sales, built once for every prefix fitted on it. */
interface Design {
  x: SparseRows;
  y: Float64Array;
  day: Int32Array;
  origin: number;
}

function design(history: SeriesDay[]): Design {
  const origin = dayNumber(history[0]!.date);
  const days: number[] = [];
  history.forEach((d, i) => {
    if (d.open && d.sales > 0) days.push(i);
  });
  const n = days.length;
  const p = FEATURE_COUNT;
  const dense = new Float64Array(n * p);
  const y = new Float64Array(n);
  days.forEach((i, r) => {
    writeFeatures(history, i, origin, dense, r * p);
    y[r] = Math.log1p(history[i]!.sales);
  });
  return { x: sparseRows(dense, n), y, day: Int32Array.from(days), origin };
}

/** Fits the first `length` days of the history the design was built on. */
function fitDesign(history: SeriesDay[], d: Design, length: number, options: FitOptions): FittedModel<FastParams> {
  checkFittable(history.slice(0, length));
  let n = 0;
  while (n < d.day.length && d.day[n]! < length) n++;
  const x: SparseRows = { ...d.x, n };
  const y = d.y.subarray(0, n);
  const p = FEATURE_COUNT;
  // Yearly terms cannot be told from trend in a short window: shrink them by how little of a year we see.
  const spanDays = dayNumber(history[length - 1]!.date) - d.origin + 1;
  const penalty = new Float64Array(p).fill(RIDGE);
  penalty[0] = 1e-9;
  for (let j = FIRST_YEARLY; j < p; j++) penalty[j] = RIDGE * Math.max(1, (365 / spanDays) ** 2 * 10);

  const w = new Float64Array(n).fill(1);
  const residuals = new Float64Array(n);
  let coef = solveRidge(x, y, w, penalty);
  const computeResiduals = () => {
    for (let r = 0; r < n; r++) residuals[r] = y[r]! - fitted(x, r, coef);
  };
  for (let step = 0; step < IRLS_STEPS; step++) {
    computeResiduals();
    const abs = new Float64Array(n);
    for (let r = 0; r < n; r++) abs[r] = Math.abs(residuals[r]!);
    abs.sort();
    const scale = Math.max(1.4826 * quantile(abs, 0.5), 1e-6);
    for (let r = 0; r < n; r++) w[r] = Math.min(1, (HUBER_K * scale) / Math.max(Math.abs(residuals[r]!), 1e-12));
    coef = solveRidge(x, y, w, penalty);
  }
  computeResiduals();
  const sorted = Float64Array.from(residuals).sort();
  const widen = Math.sqrt(n / Math.max(n - p, 1));
  const tail = (1 - options.intervalWidth) / 2;
  return {
    engine: 'fast',
    params: {
      coef: Array.from(coef),
      origin: d.origin,
      lower: quantile(sorted, tail) * widen,
      upper: quantile(sorted, 1 - tail) * widen,
      lastOpen: history[length - 1]!.open,
      observations: n,
    },
  };
}

export function fitFast(history: SeriesDay[], options: FitOptions = DEFAULT_FIT_OPTIONS): FittedModel<FastParams> {
  checkFittable(history);
  return fitDesign(history, design(history), history.length, options);
}

/**
 * Fits several prefixes of one history (a backtest's folds and the final fit) from one feature
 * build. A prefix's last day sees whether the day after it was open, as a forecast sees the plan.
 */
export function fitFastPrefixes(
  history: SeriesDay[],
  lengths: number[],
  options: FitOptions = DEFAULT_FIT_OPTIONS,
): FittedModel<FastParams>[] {
  const d = design(history);
  return lengths.map((length) => fitDesign(history, d, length, options));
}

export function predictFast(model: FittedModel<FastParams>, days: CalendarDay[]): ForecastPoint[] {
  const { coef, origin, lower, upper, lastOpen } = model.params;
  // The day before the first one asked for stands in front, so "after closure" sees it.
  const timeline: CalendarDay[] = [
    { date: '1970-01-01', open: lastOpen, promo: false, stateHoliday: '0', schoolHoliday: false },
    ...days,
  ];
  const x = new Float64Array(FEATURE_COUNT);
  return days.map((day, i) => {
    if (!day.open) return { date: day.date, forecast: 0, lower: 0, upper: 0 };
    writeFeatures(timeline, i + 1, origin, x, 0);
    let mu = 0;
    for (let j = 0; j < FEATURE_COUNT; j++) mu += x[j]! * coef[j]!;
    const clamp = (v: number) => Math.max(0, Math.expm1(v));
    return { date: day.date, forecast: clamp(mu), lower: clamp(mu + lower), upper: clamp(mu + upper) };
  });
}

/**
 * Each open day's forecast split by driver: log(1 + sales) is a sum of feature terms, so each
 * driver's terms make one factor, and level x the factors is 1 + the forecast.
 */
export function explainFast(model: FittedModel<FastParams>, days: CalendarDay[]): (ForecastDrivers | null)[] {
  const { coef, origin, lastOpen } = model.params;
  const timeline: CalendarDay[] = [
    { date: '1970-01-01', open: lastOpen, promo: false, stateHoliday: '0', schoolHoliday: false },
    ...days,
  ];
  const x = new Float64Array(FEATURE_COUNT);
  return days.map((day, i) => {
    if (!day.open) return null;
    writeFeatures(timeline, i + 1, origin, x, 0);
    const logs = Object.fromEntries(DRIVERS.map((d) => [d, 0])) as Record<Driver, number>;
    for (let j = 0; j < FEATURE_COUNT; j++) logs[DRIVER_OF_FEATURE[j]!] += x[j]! * coef[j]!;
    const { level, ...others } = logs;
    return {
      level: Math.exp(level),
      factors: Object.fromEntries(
        Object.entries(others).map(([d, v]) => [d, Math.exp(v)]),
      ) as ForecastDrivers['factors'],
    };
  });
}

export const fastEngine: Engine<FastParams> = {
  name: 'fast',
  fit: fitFast,
  fitPrefixes: fitFastPrefixes,
  predict: predictFast,
  explain: explainFast,
};
