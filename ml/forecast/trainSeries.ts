// Training one series end to end, in memory: backtest, final fit, the promotion decision against
// the production version, and the forecast of the model that serves afterwards. What a weekly
// run's shard does per series (in worker threads) and what a retrain does for one.
import { addDays } from '../../domain/dates.ts';
import { promotionDecision } from '../registry/promotion.ts';
import { fitPrefixes, foldCutoffs, scoreFolds, type BacktestResult } from './backtest.ts';
import { engineNamed, forecastDates } from './engines.ts';
import {
  UnfitSeriesError,
  type FittedModel,
  type ForecastDrivers,
  type ForecastPoint,
  type GivenDay,
  type SeriesDay,
} from './types.ts';

export interface ProductionVersion {
  version: number;
  model: FittedModel;
  rmspe: number | null;
}

export interface SeriesTrainingOptions {
  engine: string;
  /** The last day of history: forecasts cover the `horizon` days after it. */
  asOf: string;
  horizon: number;
  backtestFolds: number;
  promotionMargin: number;
  intervalWidth: number;
}

export type SeriesTrainingResult =
  | {
      ok: true;
      model: FittedModel;
      metrics: BacktestResult;
      promote: boolean;
      promotionReason: string;
      /** With each day's drivers where the serving engine can say (null on a closed day). */
      forecast: (ForecastPoint & { drivers?: ForecastDrivers | null })[];
    }
  | { ok: false; reason: string };

/** `plan`: the planners' calendar of forecast days, where they stated one (the assumed calendar elsewhere). */
export function trainSeries(
  history: SeriesDay[],
  production: ProductionVersion | undefined,
  o: SeriesTrainingOptions,
  plan?: ReadonlyMap<string, GivenDay>,
): SeriesTrainingResult {
  const engine = engineNamed(o.engine);
  try {
    const fitOptions = { intervalWidth: o.intervalWidth };
    let cutoffs: number[];
    try {
      cutoffs = foldCutoffs(history.length, { folds: o.backtestFolds, horizon: o.horizon });
    } catch (err) {
      engine.fit(history, fitOptions); // its refusal, if any, names the series' own problem
      throw err;
    }
    // The final fit first, for the same reason; then the folds, all from one feature build.
    const [model, ...foldModels] = fitPrefixes(engine, history, [history.length, ...cutoffs], fitOptions) as [
      FittedModel,
      ...FittedModel[],
    ];
    const metrics = scoreFolds(engine, history, cutoffs, foldModels, o.horizon);
    return registeredResult(history, production, o, plan, model, metrics);
  } catch (err) {
    if (err instanceof UnfitSeriesError) return { ok: false, reason: err.message };
    throw err;
  }
}

// Every series of a run forecasts the same days: their dates are made once.
let lastForecastDays: { asOf: string; horizon: number; dates: readonly string[] } | undefined;
function forecastDays(asOf: string, horizon: number): readonly string[] {
  if (lastForecastDays?.asOf !== asOf || lastForecastDays.horizon !== horizon)
    lastForecastDays = { asOf, horizon, dates: Array.from({ length: horizon }, (_, i) => addDays(asOf, i + 1)) };
  return lastForecastDays.dates;
}

/** The promotion decision for a new version and the forecast of whichever version serves after it. */
export function registeredResult(
  history: SeriesDay[],
  production: ProductionVersion | undefined,
  o: SeriesTrainingOptions,
  plan: ReadonlyMap<string, GivenDay> | undefined,
  model: FittedModel,
  metrics: BacktestResult,
): SeriesTrainingResult & { ok: true } {
  const decision = promotionDecision(
    Number.isFinite(metrics.rmspe) ? metrics.rmspe : null,
    production?.rmspe,
    o.promotionMargin,
  );
  const serving = decision.promote || !production ? model : production.model;
  // Points without their calendar's source: what is stored is the forecast and its drivers.
  const forecast = forecastDates(serving, history, forecastDays(o.asOf, o.horizon), plan, { explain: true }).map(
    ({ date, forecast, lower, upper, drivers }) =>
      drivers === undefined ? { date, forecast, lower, upper } : { date, forecast, lower, upper, drivers },
  );
  return { ok: true, model, metrics, promote: decision.promote, promotionReason: decision.reason, forecast };
}
