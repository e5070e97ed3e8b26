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
import { quantileInPlace } from '../select.ts';
import {
  dayNumber,
  DRIVER_INDEX_OF_FEATURE,
  DRIVERS,
  driversOf,
  FEATURE_COUNT,
  FIRST_YEARLY,
  writeFeatures,
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

/** Refuses series no regression can be trusted on, naming why: the first `length` days of `history`. */
function checkFittable(history: SeriesDay[], length = history.length): void {
  let sold = 0;
  let anySales = false;
  for (let i = 0; i < length; i++) {
    const d = history[i]!;
    if (d.sales > 0) {
      anySales = true;
      if (d.open) sold++;
    }
  }
  if (!anySales) throw new UnfitSeriesError(`no sales in the ${length} days of history`);
  let closedTail = 0;
  for (let i = length - 1; i >= 0 && !history[i]!.open; i--) closedTail++;
  if (closedTail >= MIN_OPEN_DAYS) throw new UnfitSeriesError(`closed for the last ${closedTail} days`);
  if (sold < MIN_OPEN_DAYS)
    throw new UnfitSeriesError(`too short: ${sold} open days with sales, at least ${MIN_OPEN_DAYS} needed`);
}

// Fits reuse these arrays rather than allocate their own: a weekly run fits every series four
// times, and fresh typed arrays for each (about 150 KB a series) kept the garbage collector's
// threads as busy as the fits. A fit is synchronous, so two never share one at once.
const scratchArrays = new Map<string, Float64Array | Int32Array>();
function scratch<T extends Float64Array | Int32Array>(name: string, make: new (n: number) => T, length: number): T {
  let array = scratchArrays.get(name) as T | undefined;
  if (!array || array.length < length) {
    array = new make(Math.max(length, 2 * (array?.length ?? 0)));
    scratchArrays.set(name, array);
  }
  return array.subarray(0, length) as T;
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

/** y - X b over the first n rows, into `out`. */
function writeResiduals(x: SparseRows, y: Float64Array, n: number, coef: Float64Array, out: Float64Array): void {
  const { index, value, count } = x;
  for (let r = 0; r < n; r++) {
    let fitted = 0;
    for (let k = r * FEATURE_COUNT, end = k + count[r]!; k < end; k++) fitted += value[k]! * coef[index[k]!]!;
    out[r] = y[r]! - fitted;
  }
}

/** The unpenalised normal equations X'X b = X'y: X'X's upper triangle only (p x p, row-major). */
interface NormalEquations {
  xtx: Float64Array;
  xty: Float64Array;
}

/** Scratch normal equations by name, holding a copy of `from` (zeros without it). */
function normalEquations(name: 'running' | 'weighted' | `prefix${number}`, from?: NormalEquations): NormalEquations {
  const xtx = scratch(`${name}.xtx`, Float64Array, FEATURE_COUNT * FEATURE_COUNT);
  const xty = scratch(`${name}.xty`, Float64Array, FEATURE_COUNT);
  if (from) {
    xtx.set(from.xtx);
    xty.set(from.xty);
  } else {
    xtx.fill(0);
    xty.fill(0);
  }
  return { xtx, xty };
}

/** Adds `weight` times row r's outer product (upper triangle) and its share of X'y. */
function addRow(eq: NormalEquations, x: SparseRows, y: Float64Array, r: number, weight: number): void {
  const p = FEATURE_COUNT;
  const { index, value } = x;
  const { xtx, xty } = eq;
  const start = r * p;
  const end = start + x.count[r]!;
  for (let a = start; a < end; a++) {
    const i = index[a]!;
    const xi = value[a]! * weight;
    xty[i]! += xi * y[r]!;
    for (let b = a, row = i * p; b < end; b++) xtx[row + index[b]!]! += xi * value[b]!;
  }
}

/**
 * The normal equations of the first n rows for each n in `ends` (ascending), from one pass over
 * the rows: a backtest's folds and the final fit are prefixes of one history.
 */
function prefixNormalEquations(x: SparseRows, y: Float64Array, ends: number[]): NormalEquations[] {
  const running = normalEquations('running');
  let r = 0;
  return ends.map((end, k) => {
    for (; r < end; r++) addRow(running, x, y, r, 1);
    return normalEquations(`prefix${k}`, running);
  });
}

/** The ridge solution of the normal equations; `penalty` per feature (near 0 for the intercept). */
function solveRidge(eq: NormalEquations, penalty: Float64Array): Float64Array {
  const p = FEATURE_COUNT;
  const a = scratch('cholesky', Float64Array, p * p);
  a.set(eq.xtx);
  // Indices ascend within a row, so only the upper triangle was summed: mirror it.
  for (let i = 0; i < p; i++) {
    a[i * p + i]! += penalty[i]!;
    for (let j = i + 1; j < p; j++) a[j * p + i] = a[i * p + j]!;
  }
  return choleskySolve(a, eq.xty, p, scratch('coef', Float64Array, p));
}

// Array.from goes through the typed array's iterator: a plain loop is several times cheaper.
function plainArray(values: Float64Array): number[] {
  const array = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) array[i] = values[i]!;
  return array;
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
  const p = FEATURE_COUNT;
  const day = scratch('day', Int32Array, history.length);
  let n = 0;
  history.forEach((d, i) => {
    if (d.open && d.sales > 0) day[n++] = i;
  });
  const x: SparseRows = {
    n,
    index: scratch('index', Int32Array, n * p),
    value: scratch('value', Float64Array, n * p),
    count: scratch('count', Int32Array, n),
  };
  const y = scratch('y', Float64Array, n);
  const row = scratch('row', Float64Array, p);
  for (let r = 0; r < n; r++) {
    writeFeatures(history, day[r]!, origin, row, 0);
    let k = r * p;
    for (let j = 0; j < p; j++)
      if (row[j] !== 0) {
        x.index[k] = j;
        x.value[k++] = row[j]!;
      }
    x.count[r] = k - r * p;
    y[r] = Math.log1p(history[day[r]!]!.sales);
  }
  return { x, y, day: day.subarray(0, n), origin };
}

/** Rows of the design before day `length` of its history. */
function rowsBefore(d: Design, length: number): number {
  let n = 0;
  while (n < d.day.length && d.day[n]! < length) n++;
  return n;
}

/**
 * Fits the first `length` days of the history the design was built on, from the normal equations
 * of its first rows. The Huber refit down-weights only the outliers, so its equations are the
 * unweighted ones less (1 - w) of each outlier's row: a few rows' work, not another pass.
 */
function fitDesign(
  history: SeriesDay[],
  d: Design,
  length: number,
  normal: NormalEquations,
  options: FitOptions,
): FittedModel<FastParams> {
  checkFittable(history, length);
  const n = rowsBefore(d, length);
  const { x, y } = d;
  const p = FEATURE_COUNT;
  // Yearly terms cannot be told from trend in a short window: shrink them by how little of a year we see.
  const spanDays = dayNumber(history[length - 1]!.date) - d.origin + 1;
  const penalty = scratch('penalty', Float64Array, p).fill(RIDGE);
  penalty[0] = 1e-9;
  for (let j = FIRST_YEARLY; j < p; j++) penalty[j] = RIDGE * Math.max(1, (365 / spanDays) ** 2 * 10);

  const residuals = scratch('residuals', Float64Array, n);
  let coef = solveRidge(normal, penalty);
  for (let step = 0; step < IRLS_STEPS; step++) {
    writeResiduals(x, y, n, coef, residuals);
    const abs = scratch('abs', Float64Array, n);
    for (let r = 0; r < n; r++) abs[r] = Math.abs(residuals[r]!);
    const scale = Math.max(1.4826 * quantileInPlace(abs, 0.5), 1e-6);
    const weighted = normalEquations('weighted', normal);
    let outliers = 0;
    for (let r = 0; r < n; r++) {
      const w = Math.min(1, (HUBER_K * scale) / Math.max(Math.abs(residuals[r]!), 1e-12));
      if (w < 1) {
        addRow(weighted, x, y, r, w - 1);
        outliers++;
      }
    }
    // Without outliers the weighted equations are the unweighted ones, and so is their solution.
    if (outliers) coef = solveRidge(weighted, penalty);
  }
  writeResiduals(x, y, n, coef, residuals);
  const widen = Math.sqrt(n / Math.max(n - p, 1));
  const tail = (1 - options.intervalWidth) / 2;
  return {
    engine: 'fast',
    params: {
      coef: plainArray(coef),
      origin: d.origin,
      lower: quantileInPlace(residuals, tail) * widen,
      upper: quantileInPlace(residuals, 1 - tail) * widen,
      lastOpen: history[length - 1]!.open,
      observations: n,
    },
  };
}

export function fitFast(history: SeriesDay[], options: FitOptions = DEFAULT_FIT_OPTIONS): FittedModel<FastParams> {
  return fitFastPrefixes(history, [history.length], options)[0]!;
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
  const ends = [...new Set(lengths.map((length) => rowsBefore(d, length)))].sort((a, b) => a - b);
  const normal = new Map(prefixNormalEquations(d.x, d.y, ends).map((eq, i) => [ends[i]!, eq]));
  return lengths.map((length) => fitDesign(history, d, length, normal.get(rowsBefore(d, length))!, options));
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
    const logs = new Float64Array(DRIVERS.length);
    for (let j = 0; j < FEATURE_COUNT; j++) logs[DRIVER_INDEX_OF_FEATURE[j]!]! += x[j]! * coef[j]!;
    return driversOf(logs);
  });
}

export const fastEngine: Engine<FastParams> = {
  name: 'fast',
  fit: fitFast,
  fitPrefixes: fitFastPrefixes,
  predict: predictFast,
  explain: explainFast,
};
