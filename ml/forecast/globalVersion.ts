// A series' version that serves the run's `global` model or its blend with the series' `fast` fit.
// Its stored parameters are small: the series' state (global.ts), its fast fit, its interval and
// the URI of the global model's artifact, which all such versions of a run share. The trees
// themselves are attached in memory by whoever loaded the artifact (attachGlobalModel), never stored
// with the version.
import type { BoostingParams } from '../tabular/trees/boosting.ts';
import type { TabularModel } from '../tabular/learner.ts';
import { blendPoints } from './choice.ts';
import { explainFast, predictFast, type FastParams } from './fast.ts';
import {
  explainGlobalState,
  predictGlobalState,
  type GlobalForm,
  type GlobalParams,
  type GlobalSeriesState,
} from './global.ts';
import { withInterval, type IntervalCalibration } from './intervals.ts';
import type { CalendarDay, Engine, FittedModel, ForecastDrivers, ForecastPoint } from './types.ts';

export const GLOBAL_CANDIDATES = ['global', 'blend'] as const;
export type GlobalCandidate = (typeof GLOBAL_CANDIDATES)[number];

export interface GlobalVersionParams {
  /** gs:// URI of the run's global model (GlobalParams as JSON). */
  artifact: string;
  form: GlobalForm;
  state: GlobalSeriesState;
  fast: FastParams;
  /** The series' spread of out-of-fold log residuals and the pooled standardized quantiles. */
  interval: { scale: number; calibration: IntervalCalibration };
}

export const isGlobalCandidate = (engine: string): engine is GlobalCandidate =>
  (GLOBAL_CANDIDATES as readonly string[]).includes(engine);

/** The artifact a version's model needs loaded, if any. */
export const globalArtifactOf = (model: FittedModel): string | undefined =>
  isGlobalCandidate(model.engine) ? (model.params as GlobalVersionParams).artifact : undefined;

// Keyed by the parameters object: a model's trees never travel with it (JSON, thread messages).
const attached = new WeakMap<object, TabularModel<BoostingParams>>();

/** Gives a global or blend version the trees of its artifact (read by the caller); other models pass through. */
export function attachGlobalModel(model: FittedModel, global: GlobalParams): FittedModel {
  if (isGlobalCandidate(model.engine)) attached.set(model.params as object, global.trees);
  return model;
}

function loaded(candidate: GlobalCandidate, p: GlobalVersionParams) {
  const trees = attached.get(p);
  if (!trees) throw new Error(`the ${candidate} model needs its global model ${p.artifact} loaded first`);
  return { global: { form: p.form, trees }, local: { engine: 'fast', params: p.fast } };
}

function predictVersion(candidate: GlobalCandidate) {
  return (model: FittedModel<GlobalVersionParams>, days: CalendarDay[]): ForecastPoint[] => {
    const p = model.params;
    const { global: trees, local } = loaded(candidate, p);
    const global = predictGlobalState(trees, p.state, days, local);
    const points = candidate === 'global' ? global : blendPoints(predictFast(local, days), global);
    return withInterval(points, [], { ...p.interval.calibration, pooledScale: p.interval.scale });
  };
}

/**
 * The global model's drivers (explainGlobalState); a blend's are the two engines' on the log scale
 * (each factor the geometric mean of fast's and the global model's), and its level takes what the
 * blend's arithmetic mean adds over their geometric one, so level x factors = 1 + the blend's forecast.
 */
function explainVersion(candidate: GlobalCandidate) {
  return (model: FittedModel<GlobalVersionParams>, days: CalendarDay[]): (ForecastDrivers | null)[] => {
    const p = model.params;
    const { global, local } = loaded(candidate, p);
    const drivers = explainGlobalState(global, p.state, days, local);
    if (candidate === 'global') return drivers;
    const fast = explainFast(local, days);
    const forecast = predictVersion('blend')(model, days);
    return drivers.map((g, i) => {
      const f = fast[i];
      if (!g || !f) return null;
      const factors = Object.fromEntries(
        Object.entries(g.factors).map(([d, v]) => [d, Math.sqrt(v * f.factors[d as keyof typeof f.factors])]),
      ) as ForecastDrivers['factors'];
      const product = Object.values(factors).reduce((a, b) => a * b, 1);
      return { level: (1 + forecast[i]!.forecast) / product, factors };
    });
  };
}

function refuseFit(candidate: GlobalCandidate): never {
  throw new Error(`${candidate} versions are made by a weekly run's global step, not fitted one series at a time`);
}

export const globalVersionEngine: Engine<GlobalVersionParams> = {
  name: 'global',
  fit: () => refuseFit('global'),
  predict: predictVersion('global'),
  explain: explainVersion('global'),
};

export const blendVersionEngine: Engine<GlobalVersionParams> = {
  name: 'blend',
  fit: () => refuseFit('blend'),
  predict: predictVersion('blend'),
  explain: explainVersion('blend'),
};

/** The interval calibration of the run that made a global or blend version, if the model is one. */
export const runCalibration = (model: FittedModel | undefined): IntervalCalibration | undefined =>
  model && isGlobalCandidate(model.engine) ? (model.params as GlobalVersionParams).interval.calibration : undefined;
