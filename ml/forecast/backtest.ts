// Rolling-origin backtest of one series: for each fold, fit on everything before the fold's cutoff
// and forecast the next `horizon` days with their actual calendar; metrics pool all folds' days.
import { forecastMetrics, type ForecastMetrics } from './metrics.ts';
import {
  DEFAULT_FIT_OPTIONS,
  UnfitSeriesError,
  type Engine,
  type FitOptions,
  type FittedModel,
  type ForecastPoint,
  type SeriesDay,
} from './types.ts';

export interface BacktestOptions extends FitOptions {
  folds: number;
  horizon: number;
}

export const DEFAULT_BACKTEST: BacktestOptions = { ...DEFAULT_FIT_OPTIONS, folds: 3, horizon: 7 };

export interface BacktestResult extends ForecastMetrics {
  folds: number;
}

/** Models fitted on each prefix length of the history, in order; throws at the first that cannot be fit. */
export function fitPrefixes(
  engine: Engine,
  history: SeriesDay[],
  lengths: number[],
  options: FitOptions = DEFAULT_FIT_OPTIONS,
): FittedModel[] {
  return engine.fitPrefixes
    ? engine.fitPrefixes(history, lengths, options)
    : lengths.map((l) => engine.fit(history.slice(0, l), options));
}

/** Where each fold's test days start, earliest fold first. */
export function foldCutoffs(days: number, options: Pick<BacktestOptions, 'folds' | 'horizon'>): number[] {
  const cutoffs = Array.from({ length: options.folds }, (_, i) => days - (options.folds - i) * options.horizon);
  if (cutoffs[0]! <= 0)
    throw new UnfitSeriesError(
      `too short for a backtest: ${days} days cannot hold ${options.folds} folds of ${options.horizon}`,
    );
  return cutoffs;
}

/** Scores models fitted up to each cutoff on the `horizon` days after it, with their actual calendar. */
export function scoreFolds(
  engine: Engine,
  history: SeriesDay[],
  cutoffs: number[],
  models: FittedModel[],
  horizon: number,
): BacktestResult {
  const actual: number[] = [];
  const points: ForecastPoint[] = [];
  cutoffs.forEach((cutoff, i) => {
    const test = history.slice(cutoff, cutoff + horizon);
    points.push(...engine.predict(models[i]!, test));
    actual.push(...test.map((d) => d.sales));
  });
  return { ...forecastMetrics(actual, points), folds: cutoffs.length };
}

/** Throws (UnfitSeriesError) when the earliest fold's training part cannot be fit. */
export function backtest(
  engine: Engine,
  history: SeriesDay[],
  options: BacktestOptions = DEFAULT_BACKTEST,
): BacktestResult {
  const cutoffs = foldCutoffs(history.length, options);
  return scoreFolds(engine, history, cutoffs, fitPrefixes(engine, history, cutoffs, options), options.horizon);
}
