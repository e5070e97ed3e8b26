// The promotion policy: a new version replaces production unless its backtest is worse than
// production's by more than a margin (compared on RMSPE, the metric the reports lead with).

export interface PromotionDecision {
  promote: boolean;
  reason: string;
}

export function promotionDecision(
  candidateRmspe: number | null,
  productionRmspe: number | null | undefined,
  margin: number,
): PromotionDecision {
  if (productionRmspe === undefined) return { promote: true, reason: 'no production version yet' };
  if (candidateRmspe === null || !Number.isFinite(candidateRmspe))
    return { promote: false, reason: 'the new version has no backtest RMSPE' };
  if (productionRmspe === null || !Number.isFinite(productionRmspe))
    return { promote: true, reason: 'production has no backtest RMSPE' };
  const limit = productionRmspe * (1 + margin);
  return candidateRmspe <= limit
    ? {
        promote: true,
        reason: `backtest RMSPE ${candidateRmspe.toFixed(4)} within ${(margin * 100).toFixed(1)}% of production's ${productionRmspe.toFixed(4)}`,
      }
    : {
        promote: false,
        reason: `backtest RMSPE ${candidateRmspe.toFixed(4)} worse than production's ${productionRmspe.toFixed(4)} by more than ${(margin * 100).toFixed(1)}%`,
      };
}
