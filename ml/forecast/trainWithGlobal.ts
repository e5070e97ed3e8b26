// Training series when the run has a global model: each series backtests `fast`, `global` and
// their blend on the same folds, serves the one choice.ts picks, and registers it under the
// promotion policy as trainSeries does. The global model was fitted once for the run on every
// series' window before its first fold (globalFitWindow), so its fold forecasts are out of sample
// like fast's. Every version's interval (fast's too) comes from its series' out-of-fold residuals and
// the run's calibration (intervals.ts), made once with the global model from the backtests of the
// series it was fitted on (calibrateRun): shards and their batches, in whatever order they finish,
// widen by the same quantiles.
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

/** The calibration from the chosen candidates' fold residuals of these backtested series, if they have any. */
function calibrationOf(backtested: readonly (Backtested | SeriesTrainingResult)[], width: number) {
  const residuals = backtested.flatMap((b) => ('candidate' in b && b.residuals.length ? [b.residuals] : []));
  return residuals.length ? calibrateIntervals(residuals, width) : undefined;
}

/**
 * The run's interval calibration: the backtests of these series (the global model's own, whose
 * windows ended before the first fold, so every fold is out of sample) against the run's model,
 * each series' chosen candidate's residuals pooled. Undefined when none has a fold day with sales.
 */
export function calibrateRun(
  series: readonly Pick<GlobalTrainingSeries, 'key' | 'history' | 'store'>[],
  o: SeriesTrainingOptions,
  params: GlobalParams,
): IntervalCalibration | undefined {
  const global = { artifact: 'calibration', params };
  return calibrationOf(
    series.map((s) => backtestCandidates({ ...s, production: undefined }, o, global)),
    o.intervalWidth,
  );
}

/**
 * Trains series against the run's global model: each chooses its engine by backtest, and its
 * interval is its own fold residuals' spread times the run's calibration (the artifact's; else
 * `given`, a production version's, for a retrain of a model made before runs had one; else these
 * series' own). A series that chose fast keeps fast's model with that interval in place of the
 * fit's in-sample one.
 */
export function trainSeriesWithGlobal(
  series: readonly GlobalTrainingSeries[],
  o: SeriesTrainingOptions,
  global: RunGlobalModel,
  given?: IntervalCalibration,
): ChosenTrainingResult[] {
  const backtested = series.map((s) => backtestCandidates(s, o, global));
  const calibration = global.params.calibration ?? given ?? calibrationOf(backtested, o.intervalWidth);
  return backtested.map((b): ChosenTrainingResult => {
    if (!('candidate' in b)) return b.ok ? { ...b, candidate: 'fast' } : b;
    const { s, fast, actual, points, candidate, residuals } = b;
    const folds = o.backtestFolds;
    const metrics: BacktestResult = {
      ...forecastMetrics(actual, calibration ? withInterval(points[candidate], residuals, calibration) : points.fast),
      folds,
    };
    if (!calibration)
      return { ...registeredResult(s.history, s.production, o, s.plan, fast, metrics), candidate: 'fast' };
    const scale = seriesScale(residuals, calibration.pooledScale);
    if (candidate === 'fast') {
      const model = {
        engine: 'fast',
        params: { ...fast.params, lower: scale * calibration.lower, upper: scale * calibration.upper },
      };
      return { ...registeredResult(s.history, s.production, o, s.plan, model, metrics), candidate };
    }
    const params: GlobalVersionParams = {
      artifact: global.artifact,
      form: global.params.form,
      state: globalSeriesState(s),
      fast: fast.params,
      interval: { scale, calibration },
    };
    const model = attachGlobalModel({ engine: candidate, params }, global.params);
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

/** How far the global step has got: trees fitted of all, over how many rows; then the calibration. */
export interface GlobalFitProgress {
  stage: 'fitting' | 'calibrating';
  trees: number;
  of: number;
  rows: number;
}

/**
 * The run's global model, fitted on every series' window up to the day before its first fold (at
 * most `maxSeries` of them, evenly spread over the run's order), with the run's interval
 * calibration from those series' backtests (calibrateRun). Series that cannot describe themselves
 * are left out of the fit; they train with fast alone.
 */
export function fitRunGlobal(
  series: readonly Pick<GlobalTrainingSeries, 'key' | 'history' | 'store'>[],
  o: SeriesTrainingOptions,
  options: GlobalOptions = DEFAULT_GLOBAL,
  maxSeries = GLOBAL_FIT_SERIES,
  onProgress?: (p: GlobalFitProgress) => void,
): GlobalParams {
  const end = globalFitWindowEnd(o.asOf, o);
  const step = Math.max(1, series.length / maxSeries);
  const picked: Pick<GlobalTrainingSeries, 'key' | 'history' | 'store'>[] = [];
  for (let i = 0; i < series.length; i += step) picked.push(series[Math.floor(i)]!);
  const windows: GlobalSeries[] = picked.map((s) => ({ ...s, history: s.history.filter((d) => d.date <= end) }));
  let last: GlobalFitProgress | undefined;
  const params = fitGlobal(windows, options, (trees, of, rows) => {
    last = { stage: 'fitting', trees, of, rows };
    onProgress?.(last);
  }).model.params;
  if (last) onProgress?.({ ...last, stage: 'calibrating' });
  const calibration = calibrateRun(picked, o, params);
  return { ...params, ...(calibration ? { calibration } : {}) };
}
