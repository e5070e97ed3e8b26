// Rolling-origin backtest of one series: for each fold, fit on everything before the fold's cutoff
// and forecast the next `horizon` days with their actual calendar; metrics pool all folds' days.
import { forecastMetrics, type ForecastMetrics } from './metrics.ts';
import { DEFAULT_FIT_OPTIONS, UnfitSeriesError, type Engine, type FitOptions, type ForecastPoint, type SeriesDay } from './types.ts';

export interface BacktestOptions extends FitOptions {
  folds: number;
  horizon: number;
}

export const DEFAULT_BACKTEST: BacktestOptions = { ...DEFAULT_FIT_OPTIONS, folds: 3, horizon: 7 };

export interface BacktestResult extends ForecastMetrics {
  folds: number;
}

/** Throws (UnfitSeriesError) when the earliest fold's training part cannot be fit. */
export function backtest(engine: Engine, history: SeriesDay[], options: BacktestOptions = DEFAULT_BACKTEST): BacktestResult {
  const actual: number[] = [];
  const points: ForecastPoint[] = [];
  for (let fold = options.folds; fold >= 1; fold--) {
    const cutoff = history.length - fold * options.horizon;
    if (cutoff <= 0) throw new UnfitSeriesError(`too short for a backtest: ${history.length} days cannot hold ${options.folds} folds of ${options.horizon}`);
    const test = history.slice(cutoff, cutoff + options.horizon);
    const model = engine.fit(history.slice(0, cutoff), options);
    points.push(...engine.predict(model, test));
    actual.push(...test.map((d) => d.sales));
  }
  return { ...forecastMetrics(actual, points), folds: options.folds };
}
