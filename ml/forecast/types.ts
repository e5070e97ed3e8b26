// What every forecast engine takes and gives: a series' days (oldest first) with the calendar that
// drives retail sales, and points with an interval. Plain data, so parameters are JSON.
import type { StateHoliday } from '../../domain/holidays.ts';

/** A day's calendar: what is known about a day before its sales are. */
export interface CalendarDay {
  date: string;
  open: boolean;
  promo: boolean;
  stateHoliday: StateHoliday;
  schoolHoliday: boolean;
}

/**
 * Where a forecast day's calendar came from: the series' history, a calendar sent with the request
 * (a what-if), the plan stored for the store, or the assumptions of calendar.ts.
 */
export type CalendarSource = 'history' | 'request' | 'plan' | 'assumed';

/** A day's calendar as someone stated it: in the request, or in the stored plan. */
export interface GivenDay extends CalendarDay {
  source: 'request' | 'plan';
}

export interface SourcedDay extends CalendarDay {
  source: CalendarSource;
}

/** A day of history: its calendar and what was sold. */
export interface SeriesDay extends CalendarDay {
  sales: number;
}

export interface ForecastPoint {
  date: string;
  forecast: number;
  lower: number;
  upper: number;
}

export interface FitOptions {
  /** Interval coverage, e.g. 0.95 (the reference's Prophet setting). */
  intervalWidth: number;
}

export const DEFAULT_FIT_OPTIONS: FitOptions = { intervalWidth: 0.95 };

/** A fitted model: the engine that made it and its parameters (a few hundred numbers at most). */
export interface FittedModel<P = unknown> {
  engine: string;
  params: P;
}

/**
 * Why a forecast day is what it is: the series' level on that day (sales units, trend included) and
 * the factor each other driver multiplies it by (1 = no effect), as the engine computed them.
 */
export interface ForecastDrivers {
  level: number;
  factors: Record<'weekday' | 'promo' | 'holiday' | 'closure' | 'month' | 'season', number>;
}

export interface Engine<P = unknown> {
  name: string;
  fit(history: SeriesDay[], options?: FitOptions): FittedModel<P>;
  /** Fits history.slice(0, length) for each length, sharing work where the engine can; see `fitPrefixes` in backtest.ts. */
  fitPrefixes?(history: SeriesDay[], lengths: number[], options?: FitOptions): FittedModel<P>[];
  /** One point per day asked for; closed days are 0 with a 0-wide interval. */
  predict(model: FittedModel<P>, days: CalendarDay[]): ForecastPoint[];
  /** The drivers of each day predict() gives (null for a closed day), where the engine can say. */
  explain?(model: FittedModel<P>, days: CalendarDay[]): (ForecastDrivers | null)[];
}

/** A series no engine can fit (too short, all zeros, closed for months): the run records why and goes on. */
export class UnfitSeriesError extends Error {
  override name = 'UnfitSeriesError';
}
