// The `prophet` engine, for parity with the reference system: Prophet's own Stan model compiled to
// WASM (@bsull/augurs with @bsull/augurs-prophet-wasmstan), configured as the reference does:
// - fit on open days with sales only (the reference takes 120 days of open days);
// - yearly and weekly seasonality, additive, no holidays or regressors; MAP fit;
// - 95% interval from 1,000 uncertainty samples (Prophet's default);
// - closed days forecast as 0, negative forecasts clipped to 0.
// augurs exposes no fitted parameters, so the stored parameters are the data the model was fit on
// (a few hundred numbers): predicting from them refits (the MAP fit is deterministic). Within one
// process the fitted model is kept and reused. ml/ reads no files: the process that fits or predicts
// says where the WASM binary comes from (useProphetWasm, platform/prophetWasm.ts).
import { initSync, Prophet } from '@bsull/augurs/prophet';
import { optimizer } from '@bsull/augurs-prophet-wasmstan';
import { dayNumber } from './features.ts';
import {
  DEFAULT_FIT_OPTIONS,
  UnfitSeriesError,
  type CalendarDay,
  type Engine,
  type FitOptions,
  type FittedModel,
  type ForecastPoint,
  type SeriesDay,
} from './types.ts';

export interface ProphetParams {
  /** Day numbers (days since 1970-01-01) and sales of the open days fit on. */
  days: number[];
  sales: number[];
  intervalWidth: number;
}

const MIN_DAYS = 28;
const DAY_SECONDS = 86_400;

let loadWasm: (() => Uint8Array) | undefined;
let initialized = false;

/** Where this process (or worker thread) gets Prophet's WASM binary: called at the first fit or prediction. */
export function useProphetWasm(load: () => Uint8Array): void {
  loadWasm = load;
}

function init(): void {
  if (initialized) return;
  if (!loadWasm)
    throw new Error(
      'the prophet engine has no WASM binary: call useProphetWasm(loadProphetWasm) (platform/prophetWasm.ts) at start-up',
    );
  initSync({ module: loadWasm() });
  initialized = true;
}

const live = new WeakMap<FittedModel<ProphetParams>, Prophet>();
const release = new FinalizationRegistry<Prophet>((p) => p.free());

/** Keeps a model's fitted Prophet for as long as the model object lives, then frees its WASM memory. */
function keep(model: FittedModel<ProphetParams>, prophet: Prophet): Prophet {
  live.set(model, prophet);
  release.register(model, prophet);
  return prophet;
}

function trained(params: ProphetParams): Prophet {
  init();
  const prophet = new Prophet({
    optimizer,
    yearlySeasonality: { type: 'manual', enabled: true },
    weeklySeasonality: { type: 'manual', enabled: true },
    intervalWidth: params.intervalWidth,
    uncertaintySamples: 1000,
  });
  prophet.fit({ ds: params.days.map((d) => d * DAY_SECONDS), y: params.sales });
  return prophet;
}

export function fitProphet(
  history: SeriesDay[],
  options: FitOptions = DEFAULT_FIT_OPTIONS,
): FittedModel<ProphetParams> {
  const open = history.filter((d) => d.open && d.sales > 0);
  if (open.length < MIN_DAYS)
    throw new UnfitSeriesError(`too short: ${open.length} open days with sales, at least ${MIN_DAYS} needed`);
  const model: FittedModel<ProphetParams> = {
    engine: 'prophet',
    params: {
      days: open.map((d) => dayNumber(d.date)),
      sales: open.map((d) => d.sales),
      intervalWidth: options.intervalWidth,
    },
  };
  keep(model, trained(model.params));
  return model;
}

export function predictProphet(model: FittedModel<ProphetParams>, days: CalendarDay[]): ForecastPoint[] {
  const prophet = live.get(model) ?? keep(model, trained(model.params));
  const open = days.filter((d) => d.open);
  const predicted = open.length
    ? prophet.predict({ ds: open.map((d) => dayNumber(d.date) * DAY_SECONDS) }).yhat
    : undefined;
  const clip = (v: number | undefined) => Math.max(0, v ?? 0);
  let i = 0;
  return days.map((d) => {
    if (!d.open) return { date: d.date, forecast: 0, lower: 0, upper: 0 };
    const at = i++;
    const point = clip(predicted?.point[at]);
    return {
      date: d.date,
      forecast: point,
      lower: clip(predicted?.intervals?.lower[at] ?? point),
      upper: clip(predicted?.intervals?.upper[at] ?? point),
    };
  });
}

export const prophetEngine: Engine<ProphetParams> = { name: 'prophet', fit: fitProphet, predict: predictProphet };
