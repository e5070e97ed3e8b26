// Choosing a run's k and deciding its promotion. k: the highest silhouette among the fitted ks
// (the smaller k on a tie: fewer segments are easier to act on), or the k the run fixed.
// Promotion: the new version replaces production unless its silhouette is lower than
// production's by more than an absolute margin (silhouette lies in [-1, 1], so a ratio would
// mean different things near 0 and near 1).

export interface ScoredFit {
  k: number;
  silhouette: number;
  inertia: number;
}

export function chooseSegmentCount<T extends ScoredFit>(fits: readonly T[], fixedK?: number): T {
  if (fits.length === 0) throw new Error('chooseSegmentCount: no fits');
  if (fixedK !== undefined) {
    const fixed = fits.find((f) => f.k === fixedK);
    if (!fixed)
      throw new Error(`chooseSegmentCount: k = ${fixedK} was not fitted (fitted ${fits.map((f) => f.k).join(', ')})`);
    return fixed;
  }
  return fits.reduce((best, f) =>
    f.silhouette > best.silhouette || (f.silhouette === best.silhouette && f.k < best.k) ? f : best,
  );
}

export interface SegmentationPromotion {
  promote: boolean;
  reason: string;
}

export function segmentationPromotion(
  candidateSilhouette: number,
  productionSilhouette: number | undefined,
  margin: number,
): SegmentationPromotion {
  if (productionSilhouette === undefined) return { promote: true, reason: 'no production version yet' };
  const score = (s: number) => s.toFixed(4);
  return candidateSilhouette >= productionSilhouette - margin
    ? {
        promote: true,
        reason: `silhouette ${score(candidateSilhouette)} within ${margin} of production's ${score(productionSilhouette)}`,
      }
    : {
        promote: false,
        reason: `silhouette ${score(candidateSilhouette)} lower than production's ${score(productionSilhouette)} by more than ${margin}`,
      };
}
