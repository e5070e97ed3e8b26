// The forecast engines by name, as runs and the API choose them.
import { addDays, datesBetween } from '../../domain/dates.ts';
import { lastWeekEngine, medianWeekdayPromoEngine } from './baselines.ts';
import { fastEngine } from './fast.ts';
import { prophetEngine } from './prophet.ts';
import { assumedCalendar } from './calendar.ts';
import { blendVersionEngine, globalVersionEngine } from './globalVersion.ts';
import type { Engine, FittedModel, ForecastDrivers, ForecastPoint, GivenDay, SeriesDay, SourcedDay } from './types.ts';

export const ENGINES = {
  fast: fastEngine,
  prophet: prophetEngine,
  last_week: lastWeekEngine,
  median_weekday_promo: medianWeekdayPromoEngine,
} satisfies Record<string, Engine>;

export type EngineName = keyof typeof ENGINES;

export const isEngineName = (name: string): name is EngineName => Object.hasOwn(ENGINES, name);

/** Why a name is no engine's (with the names that are), or null when it is one. */
export const engineProblem = (name: unknown): string | null =>
  typeof name === 'string' && isEngineName(name)
    ? null
    : `unknown forecast engine ${JSON.stringify(name) ?? 'nothing'}; known: ${Object.keys(ENGINES).join(', ')}`;

// What a stored version may be besides a trainable engine: a weekly run's per-series choice.
const SERVING_ENGINES: Record<string, Engine> = { ...ENGINES, global: globalVersionEngine, blend: blendVersionEngine };

/** The engine that predicts from a stored version of this engine name. */
export function servingEngine(name: string): Engine {
  const engine = Object.hasOwn(SERVING_ENGINES, name) ? SERVING_ENGINES[name] : undefined;
  if (!engine) throw new Error(`no forecast engine serves versions of ${JSON.stringify(name)}`);
  return engine;
}

export function engineNamed(name: string): Engine {
  const problem = engineProblem(name);
  if (problem) throw new Error(problem);
  return ENGINES[name as EngineName];
}

/** A forecast day, with the calendar it was forecast on and where that came from; with `explain`, its drivers. */
export interface SourcedPoint extends ForecastPoint {
  day: SourcedDay;
  /** Null for a closed day; absent when not asked for or the engine cannot say. */
  drivers?: ForecastDrivers | null;
}

/**
 * A model's forecast for these dates (ascending), on the calendar the series' history suggests for
 * them, except the days `given` states.
 */
export function forecastDates(
  model: FittedModel,
  history: readonly SeriesDay[],
  dates: readonly string[],
  given?: ReadonlyMap<string, GivenDay>,
  { explain = false } = {},
): SourcedPoint[] {
  const last = history.at(-1)?.date;
  const first = dates[0];
  // The days between the history and the first date asked for carry the weekly and promo cycles forward.
  const gap = last && first && first > addDays(last, 1) ? datesBetween(addDays(last, 1), addDays(first, -1)) : [];
  const days = assumedCalendar(history, [...gap, ...dates], given).slice(gap.length);
  const engine = servingEngine(model.engine);
  const drivers = explain ? engine.explain?.(model, days) : undefined;
  return engine.predict(model, days).map(({ date, forecast, lower, upper }, i) => {
    const point: SourcedPoint = { date, forecast, lower, upper, day: days[i]! };
    if (drivers) point.drivers = drivers[i];
    return point;
  });
}
