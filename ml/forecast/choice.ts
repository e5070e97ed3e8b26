// The per-series choice between the local `fast` engine, the `global` model and their blend: each
// series serves the candidate with the lowest RMSPE on its own backtest folds (the same folds for
// all three). Ties, and series whose folds hold no day with sales, keep `fast`: the simplest.
import { forecastMetrics } from './metrics.ts';
import type { ForecastPoint } from './types.ts';

export const CANDIDATES = ['fast', 'global', 'blend'] as const;
export type Candidate = (typeof CANDIDATES)[number];

/** The mean of two engines' forecasts (and of their bounds), day by day. */
export function blendPoints(a: readonly ForecastPoint[], b: readonly ForecastPoint[]): ForecastPoint[] {
  if (a.length !== b.length) throw new Error(`blendPoints: ${a.length} days against ${b.length}`);
  return a.map((p, i) => {
    const q = b[i]!;
    if (p.date !== q.date) throw new Error(`blendPoints: day ${i} is ${p.date} in one and ${q.date} in the other`);
    return {
      date: p.date,
      forecast: (p.forecast + q.forecast) / 2,
      lower: (p.lower + q.lower) / 2,
      upper: (p.upper + q.upper) / 2,
    };
  });
}

export interface FoldForecasts {
  actual: number[];
  points: Record<Candidate, ForecastPoint[]>;
}

export interface Choice {
  candidate: Candidate;
  /** Each candidate's backtest RMSPE (NaN: no day with sales). */
  rmspe: Record<Candidate, number>;
}

export function chooseCandidate(folds: FoldForecasts): Choice {
  const rmspe = Object.fromEntries(
    CANDIDATES.map((c) => [c, forecastMetrics(folds.actual, folds.points[c]).rmspe]),
  ) as Record<Candidate, number>;
  let candidate: Candidate = 'fast';
  for (const c of CANDIDATES) if (rmspe[c] < rmspe[candidate]) candidate = c;
  return { candidate, rmspe };
}
