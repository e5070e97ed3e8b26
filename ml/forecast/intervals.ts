// Forecast intervals from out-of-fold residuals: what a series' backtest folds missed by, on the
// log scale, says how wide its next days' interval should be. A series has few fold days (3 weeks
// of 6 open days), too few for its own 2.5% quantile, so each series' residuals are divided by its
// own spread (shrunk towards the pooled one by SHRINK_DAYS pseudo-days), and the quantiles of those
// standardized residuals are pooled over all series of a run: wide series get wide intervals, and
// pooled coverage of days to come is the nominal level.
import type { ForecastPoint } from './types.ts';

const SHRINK_DAYS = 12;

/** log(1 + actual) - log(1 + forecast) on days with sales; other days have none. */
export function logResiduals(actual: readonly number[], points: readonly ForecastPoint[]): number[] {
  const out: number[] = [];
  actual.forEach((y, i) => {
    if (y > 0) out.push(Math.log1p(y) - Math.log1p(points[i]!.forecast));
  });
  return out;
}

const rms = (v: readonly number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface IntervalCalibration {
  /** RMS of all series' residuals: the spread a series without residuals gets. */
  pooledScale: number;
  /** Quantiles of standardized residuals at (1 - width) / 2 and (1 + width) / 2. */
  lower: number;
  upper: number;
}

const shrunk = (squares: number, n: number, pooledScale: number) =>
  Math.sqrt((squares + SHRINK_DAYS * pooledScale ** 2) / (n + SHRINK_DAYS));

/** A series' spread: its residuals' RMS shrunk towards the pooled one. */
export function seriesScale(residuals: readonly number[], pooledScale: number): number {
  return shrunk(
    residuals.reduce((a, b) => a + b * b, 0),
    residuals.length,
    pooledScale,
  );
}

/**
 * The calibration from every series' out-of-fold log residuals, for intervals of `width` (e.g. 0.95).
 * Each residual is standardized by its series' spread without it (leave one out, as split-conformal
 * scores are): a day to come is not in the spread it is judged by either, and a large residual
 * divided by a spread it inflated itself made the quantiles too narrow (93.5% of the next weeks'
 * days covered at 95% on bench:training's generated data; 94.7% left out).
 */
export function calibrateIntervals(bySeries: readonly (readonly number[])[], width: number): IntervalCalibration {
  if (!(width > 0 && width < 1)) throw new Error(`interval width must be in (0, 1), got ${width}`);
  const all = bySeries.flat();
  if (!all.length) throw new Error('calibrateIntervals: no residuals to calibrate on');
  const pooledScale = Math.max(rms(all), 1e-6);
  const standardized = bySeries
    .flatMap((r) => {
      const squares = r.reduce((a, b) => a + b * b, 0);
      return r.map((v) => v / shrunk(squares - v * v, r.length - 1, pooledScale));
    })
    .sort((a, b) => a - b);
  const tail = (1 - width) / 2;
  return { pooledScale, lower: quantile(standardized, tail), upper: quantile(standardized, 1 - tail) };
}

/** Points with the interval a series of these residuals gets; closed days (forecast 0) stay 0-wide. */
export function withInterval(
  points: readonly ForecastPoint[],
  residuals: readonly number[],
  c: IntervalCalibration,
): ForecastPoint[] {
  const scale = seriesScale(residuals, c.pooledScale);
  return points.map((p) => {
    if (p.forecast <= 0) return { ...p, lower: 0, upper: 0 };
    const mu = Math.log1p(p.forecast);
    return {
      date: p.date,
      forecast: p.forecast,
      lower: Math.max(0, Math.expm1(mu + scale * c.lower)),
      upper: Math.expm1(mu + scale * c.upper),
    };
  });
}
