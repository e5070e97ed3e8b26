// Champion/challenger for tabular models: the challenger replaces the champion when its test
// objective (RMSE for regression, log loss for classification; lower is better) beats the
// champion's on the same test rows by more than the margin. A binary model whose spec has gate
// bars must also meet them (test recall and precision at its chosen threshold), as
// `npm run gate` will hold the production version to them: a challenger below a bar is never
// promoted, however good its log loss, and the reason names the bars it misses.
import { gateVerdict, type GateBars } from '../tabular/comparison.ts';

export interface TabularPromotion {
  promoted: boolean;
  reason: string;
}

/** The test metric the search minimized: RMSE for regression, log loss for classification. */
export const objectiveOf = (metrics: Record<string, number>): number => metrics.rmse ?? metrics.logLoss!;

export function tabularPromotion({
  challenger,
  champion,
  margin,
  gate,
}: {
  /** The challenger's test metrics. */
  challenger: Record<string, number>;
  /** The champion's test metrics on the same rows; undefined without a champion. */
  champion: Record<string, number> | undefined;
  margin: number;
  gate?: GateBars | undefined;
}): TabularPromotion {
  if (gate) {
    const verdict = gateVerdict(challenger, gate);
    if (!verdict.passed) return { promoted: false, reason: `below the gate's bars: ${verdict.failures.join('; ')}` };
  }
  if (champion === undefined) return { promoted: true, reason: 'no champion yet' };
  const [c, p] = [objectiveOf(challenger), objectiveOf(champion)];
  const promoted = c < p * (1 - margin);
  return {
    promoted,
    reason: `${c.toFixed(4)} ${promoted ? 'beats' : 'does not beat'} the champion's ${p.toFixed(4)} by more than ${margin * 100}%`,
  };
}
