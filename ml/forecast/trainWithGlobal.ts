// Training series when the run has a global model: each series backtests `fast`, `global` and
// their blend on the same folds, serves the one choice.ts picks, and registers it under the
// promotion policy as trainSeries does. The global model was fitted once for the run on every
// series' window before its first fold (globalFitWindow), so its fold forecasts are out of sample
// like fast's. Intervals of global and blend versions come from the out-of-fold residuals of the
// series trained together (intervals.ts), pooled: a batch's series share one calibration.
import { addDays } from '../../domain/dates.ts';
import { foldCutoffs, fitPrefixes, type BacktestResult } from './backtest.ts';
import { blendPoints, CANDIDATES, chooseCandidate, type Candidate } from './choice.ts';
import { fastEngine, predictFast, type FastParams } from './fast.ts';
import {
  DEFAULT_GLOBAL,
  fitGlobal,
  globalSeriesState,
  predictGlobalState,
  type GlobalOptions,
  type GlobalParams,
  type GlobalSeries,
} from './global.ts';
import { attachGlobalModel, type GlobalVersionParams } from './globalVersion.ts';
import { calibrateIntervals, logResiduals, seriesScale, withInterval, type IntervalCalibration } from './intervals.ts';
import { forecastMetrics } from './metrics.ts';
import type { StoreAttributes } from './storeFeatures.ts';
import {
  registeredResult,
  trainSeries,
  type ProductionVersion,
  type SeriesTrainingOptions,
  type SeriesTrainingResult,
} from './trainSeries.ts';
import { UnfitSeriesError, type FittedModel, type ForecastPoint, type GivenDay, type SeriesDay } from './types.ts';

/** A run's global model and where its artifact is. */
export interface RunGlobalModel {
  artifact: string;
  params: GlobalParams;
}

export interface GlobalTrainingSeries {
  key: string;
  history: SeriesDay[];
  store: StoreAttributes | null;
  production: ProductionVersion | undefined;
  plan?: ReadonlyMap<string, GivenDay>;
}

/** The last day of the windows the run's global model is fitted on: the day before the first fold. */
export const globalFitWindowEnd = (asOf: string, o: Pick<SeriesTrainingOptions, 'backtestFolds' | 'horizon'>) =>
  addDays(asOf, -o.backtestFolds * o.horizon);

export type ChosenTrainingResult = SeriesTrainingResult & { candidate?: Candidate };

interface Backtested {
  s: GlobalTrainingSeries;
  fast: FittedModel<FastParams>;
  actual: number[];
  points: Record<Candidate, ForecastPoint[]>;
  candidate: Candidate;
  residuals: number[];
}

function backtestCandidates(
  s: GlobalTrainingSeries,
  o: SeriesTrainingOptions,
  global: RunGlobalModel,
): Backtested | SeriesTrainingResult {
  // A series the global model cannot describe, or too short for folds: fast alone says why or serves.
  let cutoffs: number[];
  try {
    cutoffs = foldCutoffs(s.history.length, { folds: o.backtestFolds, horizon: o.horizon });
    globalSeriesState({ key: s.key, history: s.history.slice(0, cutoffs[0]), store: s.store });
  } catch (err) {
    if (err instanceof UnfitSeriesError) return trainSeries(s.history, s.production, o, s.plan);
    throw err;
  }
  let fast: FittedModel<FastParams>;
  let foldModels: FittedModel<FastParams>[];
  try {
    [fast, ...foldModels] = fitPrefixes(fastEngine, s.history, [s.history.length, ...cutoffs], {
      intervalWidth: o.intervalWidth,
    }) as FittedModel<FastParams>[] as [FittedModel<FastParams>, ...FittedModel<FastParams>[]];
  } catch (err) {
    if (err instanceof UnfitSeriesError) return { ok: false, reason: err.message };
    throw err;
  }
  const actual: number[] = [];
  const points: Record<Candidate, ForecastPoint[]> = { fast: [], global: [], blend: [] };
  cutoffs.forEach((cutoff, i) => {
    const test = s.history.slice(cutoff, cutoff + o.horizon);
    const state = globalSeriesState({ key: s.key, history: s.history.slice(0, cutoff), store: s.store });
    const f = predictFast(foldModels[i]!, test);
    const g = predictGlobalState(global.params, state, test, foldModels[i], s.key);
    points.fast.push(...f);
    points.global.push(...g);
    points.blend.push(...blendPoints(f, g));
    actual.push(...test.map((d) => d.sales));
  });
  const { candidate } = chooseCandidate({ actual, points });
  return { s, fast, actual, points, candidate, residuals: logResiduals(actual, points[candidate]) };
}

/**
 * Trains series together against the run's global model: each chooses its engine by backtest,
 * and the global and blend ones get intervals calibrated on all of their residuals (or on
 * `calibration`, a run's, when there are too few series to calibrate on: a retrain's one).
 */
export function trainSeriesWithGlobal(
  series: readonly GlobalTrainingSeries[],
  o: SeriesTrainingOptions,
  global: RunGlobalModel,
  given?: IntervalCalibration,
): ChosenTrainingResult[] {
  const backtested = series.map((s) => backtestCandidates(s, o, global));
  const chose = backtested.filter((b): b is Backtested => 'candidate' in b);
  const withResiduals = chose.filter((b) => b.residuals.length);
  const calibration =
    (given ?? withResiduals.length)
      ? calibrateIntervals(
          withResiduals.map((b) => b.residuals),
          o.intervalWidth,
        )
      : undefined;
  return backtested.map((b): ChosenTrainingResult => {
    if (!('candidate' in b)) return b.ok ? { ...b, candidate: 'fast' } : b;
    const { s, fast, actual, points, candidate, residuals } = b;
    const folds = o.backtestFolds;
    if (candidate === 'fast' || !calibration) {
      const metrics: BacktestResult = { ...forecastMetrics(actual, points.fast), folds };
      return { ...registeredResult(s.history, s.production, o, s.plan, fast, metrics), candidate: 'fast' };
    }
    const params: GlobalVersionParams = {
      artifact: global.artifact,
      form: global.params.form,
      state: globalSeriesState(s),
      fast: fast.params,
      interval: { scale: seriesScale(residuals, calibration.pooledScale), calibration },
    };
    const model = attachGlobalModel({ engine: candidate, params }, global.params);
    const metrics: BacktestResult = {
      ...forecastMetrics(actual, withInterval(points[candidate], residuals, calibration)),
      folds,
    };
    return { ...registeredResult(s.history, s.production, o, s.plan, model, metrics), candidate };
  });
}

/** How many series chose each engine. */
export function chosenCounts(results: readonly ChosenTrainingResult[]): Record<Candidate, number> {
  const counts = Object.fromEntries(CANDIDATES.map((c) => [c, 0])) as Record<Candidate, number>;
  for (const r of results) if (r.ok && r.candidate) counts[r.candidate]++;
  return counts;
}

/**
 * Series the global model is fitted on at most, evenly spread: the fit's time grows with its rows
 * (0.27 s a tree over 1,115 series' windows, 41.7 s in all), and the accuracy bench's global model,
 * fitted over 300 stores' windows, is the one the choice's figures were measured with (bench/README.md).
 */
export const GLOBAL_FIT_SERIES = 300;

/**
 * The run's global model, fitted on every series' window up to the day before its first fold (at
 * most `maxSeries` of them, evenly spread over the run's order). Series that cannot describe
 * themselves are left out of the fit; they train with fast alone.
 */
export function fitRunGlobal(
  series: readonly Pick<GlobalTrainingSeries, 'key' | 'history' | 'store'>[],
  o: Pick<SeriesTrainingOptions, 'asOf' | 'backtestFolds' | 'horizon'>,
  options: GlobalOptions = DEFAULT_GLOBAL,
  maxSeries = GLOBAL_FIT_SERIES,
): GlobalParams {
  const end = globalFitWindowEnd(o.asOf, o);
  const step = Math.max(1, series.length / maxSeries);
  const picked: GlobalSeries[] = [];
  for (let i = 0; i < series.length; i += step) {
    const s = series[Math.floor(i)]!;
    picked.push({ key: s.key, store: s.store, history: s.history.filter((d) => d.date <= end) });
  }
  return fitGlobal(picked, options).model.params;
}
