// The per-series choice between the local `fast` engine, the `global` model and their blend: each
// series serves the candidate with the lowest RMSPE on its own backtest folds (the same folds for
// all three). A series' folds are few days, so a candidate replaces the preferred one only when it
// is better by `margin` (relative), as the promotion policy asks a new version to be; ties, and
// series whose folds hold no day with sales, keep the preferred one.
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

export interface ChoicePolicy {
  prefer: Candidate;
  margin: number;
}

// Chosen on the weeks before bench:training's last six (bench/README.md): 3 folds of a series are
// too few days to tell candidates apart by less, and the blend was the best single candidate there.
export const DEFAULT_CHOICE: ChoicePolicy = { prefer: 'blend', margin: 0.1 };
/** Every series to its lowest fold RMSPE, whatever the margin: what the reports compare against. */
export const LOWEST_RMSPE: ChoicePolicy = { prefer: 'fast', margin: 0 };

export function chooseCandidate(folds: FoldForecasts, policy: ChoicePolicy = DEFAULT_CHOICE): Choice {
  if (!(policy.margin >= 0 && policy.margin < 1))
    throw new Error(`choice margin must be in [0, 1), got ${policy.margin}`);
  const rmspe = Object.fromEntries(
    CANDIDATES.map((c) => [c, forecastMetrics(folds.actual, folds.points[c]).rmspe]),
  ) as Record<Candidate, number>;
  let candidate = policy.prefer;
  const bar = rmspe[policy.prefer] * (1 - policy.margin);
  for (const c of CANDIDATES) if (rmspe[c] < bar && rmspe[c] < rmspe[candidate]) candidate = c;
  return { candidate, rmspe };
}
