// Features binned once per fit: at most 256 bins per feature, one per distinct value when there
// are that few (then a split between bins is exactly a split between values, as ml-cart makes
// it), else at quantile edges. A split "bin <= b" is stored as the raw threshold "x < t", t
// halfway between the largest value of bin b and the smallest of bin b + 1 (ml-cart's midpoint).
import type { Features } from '../learner.ts';

export const MAX_BINS = 256;

export interface BinnedFeatures {
  rows: number;
  features: number;
  /** Bin of row i, feature f: codes[f][i]. */
  codes: Uint8Array[];
  /** Bins per feature. */
  bins: Int32Array;
  /** thresholds[f][b]: rows with x < thresholds[f][b] are in bins 0..b. */
  thresholds: Float64Array[];
}

/** Bin edges of one feature: the thresholds between consecutive bins. */
function featureThresholds(values: Float64Array, maxBins: number): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) {
      distinct.push(sorted[i]!);
      counts.push(1);
    } else counts[counts.length - 1]!++;
  }
  const between = (a: number, b: number) => {
    const mid = (a + b) / 2;
    // Adjacent floats: the midpoint rounds onto a; b itself still separates them.
    return mid > a ? mid : b;
  };
  const edges: number[] = [];
  if (distinct.length <= maxBins) {
    for (let i = 1; i < distinct.length; i++) edges.push(between(distinct[i - 1]!, distinct[i]!));
    return Float64Array.from(edges);
  }
  // Quantile edges: close a bin once it holds its share of the rows still to place.
  let placed = 0;
  let inBin = 0;
  for (let i = 0; i < distinct.length - 1; i++) {
    inBin += counts[i]!;
    const binsLeft = maxBins - edges.length;
    if (inBin >= (n - placed) / binsLeft && binsLeft > 1) {
      edges.push(between(distinct[i]!, distinct[i + 1]!));
      placed += inBin;
      inBin = 0;
    }
  }
  return Float64Array.from(edges);
}

/** The bin of value v: the number of thresholds <= v. */
export function binOf(thresholds: Float64Array, v: number): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v < thresholds[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function binFeatures(x: Features, maxBins = MAX_BINS): BinnedFeatures {
  const rows = x.length;
  const features = x[0]?.length ?? 0;
  const codes: Uint8Array[] = [];
  const thresholds: Float64Array[] = [];
  const bins = new Int32Array(features);
  const column = new Float64Array(rows);
  for (let f = 0; f < features; f++) {
    for (let i = 0; i < rows; i++) column[i] = x[i]![f]!;
    const t = featureThresholds(column, maxBins);
    const code = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) code[i] = binOf(t, column[i]!);
    codes.push(code);
    thresholds.push(t);
    bins[f] = t.length + 1;
  }
  return { rows, features, codes, bins, thresholds };
}
