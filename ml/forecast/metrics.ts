// Forecast accuracy over paired actuals and forecasts. RMSPE is Rossmann's competition metric:
// only days with sales > 0 count (closed days, and days that sold nothing, are ignored).
import type { ForecastPoint } from './types.ts';

export interface ForecastMetrics {
  /** Root mean square percentage error over days with sales > 0. */
  rmspe: number;
  /** Mean absolute percentage error over days with sales > 0. */
  mape: number;
  /** Sum of absolute errors over the sum of actuals (all days). */
  wape: number;
  /** Sum of (forecast - actual) over the sum of actuals: > 0 over-forecasts. */
  bias: number;
  /** Share of days with sales > 0 whose actual lies in [lower, upper]. */
  coverage: number;
  /** Days with sales > 0 that RMSPE, MAPE and coverage were computed over. */
  days: number;
}

export function forecastMetrics(actual: readonly number[], points: readonly ForecastPoint[]): ForecastMetrics {
  if (actual.length !== points.length)
    throw new Error(`forecastMetrics: ${actual.length} actuals but ${points.length} forecasts`);
  let sq = 0,
    abs = 0,
    days = 0,
    covered = 0,
    absErr = 0,
    err = 0,
    total = 0;
  actual.forEach((y, i) => {
    const p = points[i]!;
    absErr += Math.abs(p.forecast - y);
    err += p.forecast - y;
    total += y;
    if (y <= 0) return;
    const pct = (y - p.forecast) / y;
    sq += pct * pct;
    abs += Math.abs(pct);
    if (p.lower <= y && y <= p.upper) covered++;
    days++;
  });
  return {
    rmspe: days ? Math.sqrt(sq / days) : NaN,
    mape: days ? abs / days : NaN,
    wape: total ? absErr / total : NaN,
    bias: total ? err / total : NaN,
    coverage: days ? covered / days : NaN,
    days,
  };
}
