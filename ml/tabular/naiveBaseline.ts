// A naive forecast scored like a model: each row's prediction is a value it already carries (air
// quality: CO(GT) at the same hour the day before), or a fallback where that value is missing.
import { regressionMetrics } from './metrics.ts';

export interface NaiveScore {
  rmse: number;
  mae: number;
  rows: number;
  /** Rows predicted by the fallback. */
  fallbacks: number;
}

/** RMSE and MAE of `carried` (null where missing, then `fallback`) against the targets `y`. */
export function naiveScore(y: readonly number[], carried: readonly (number | null)[], fallback: number): NaiveScore {
  if (y.length !== carried.length) throw new Error(`naiveScore: ${y.length} targets but ${carried.length} predictions`);
  if (!y.length) throw new Error('naiveScore: no rows to score');
  const p = carried.map((v) => v ?? fallback);
  const { rmse, mae } = regressionMetrics(y, p);
  return { rmse, mae, rows: y.length, fallbacks: carried.filter((v) => v === null).length };
}
