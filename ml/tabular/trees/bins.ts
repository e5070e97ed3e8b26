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
  /** Two-bin features that are never in bin 1 on the same row (a one-hot group), bundled. */
  bundles: FeatureBundle[];
  /** The bundle of feature f, or -1. */
  bundleOf: Int32Array;
}

/**
 * Mutually exclusive two-bin features in one column (LightGBM's exclusive feature bundling): per
 * row 0 when all of them are in bin 0, else 1 + the position in `features` of the one in bin 1.
 * One pass over a node's rows then gives every bundled feature's histogram.
 */
export interface FeatureBundle {
  features: Int32Array;
  code: Uint8Array;
}

/** Bin edges of one feature: the thresholds between consecutive bins. */
function featureThresholds(values: Float64Array, maxBins: number): Float64Array {
  const between = (a: number, b: number) => {
    const mid = (a + b) / 2;
    // Adjacent floats: the midpoint rounds onto a; b itself still separates them.
    return mid > a ? mid : b;
  };
  // Few distinct values (one-hot columns, codes): sort those, not the whole column.
  const seen = new Set<number>();
  for (let i = 0; i < values.length && seen.size <= maxBins; i++) seen.add(values[i]!);
  if (seen.size <= maxBins) {
    const distinct = Float64Array.from(seen).sort();
    return distinct.subarray(1).map((v, i) => between(distinct[i]!, v));
  }
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const edges: number[] = [];
  // Quantile edges: each bin takes its share of the rows still to place, then the rest of its
  // last value's repeats (a value is never split across bins).
  let placed = 0;
  while (edges.length < maxBins - 1) {
    let end = placed + Math.ceil((n - placed) / (maxBins - edges.length));
    while (end < n && sorted[end] === sorted[end - 1]) end++;
    if (end >= n) break;
    edges.push(between(sorted[end - 1]!, sorted[end]!));
    placed = end;
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
  // Read row by row (each row is its own array): far fewer cache misses than column by column.
  const columns = Array.from({ length: features }, () => new Float64Array(rows));
  for (let i = 0; i < rows; i++) {
    const row = x[i]!;
    for (let f = 0; f < features; f++) columns[f]![i] = row[f]!;
  }
  for (let f = 0; f < features; f++) {
    const column = columns[f]!;
    const t = featureThresholds(column, maxBins);
    const code = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) code[i] = binOf(t, column[i]!);
    codes.push(code);
    thresholds.push(t);
    bins[f] = t.length + 1;
  }
  return { rows, features, codes, bins, thresholds, ...bundleFeatures(codes, bins, rows) };
}

/** Greedy bundling: each two-bin feature joins the first bundle it shares no bin-1 row with. */
function bundleFeatures(codes: Uint8Array[], bins: Int32Array, rows: number) {
  const open: { features: number[]; code: Uint8Array }[] = [];
  for (let f = 0; f < codes.length; f++) {
    if (bins[f] !== 2) continue;
    const code = codes[f]!;
    const fits = (b: { features: number[]; code: Uint8Array }) => {
      if (b.features.length >= 255) return false;
      for (let i = 0; i < rows; i++) if (code[i] === 1 && b.code[i] !== 0) return false;
      return true;
    };
    let bundle = open.find(fits);
    if (!bundle) open.push((bundle = { features: [], code: new Uint8Array(rows) }));
    bundle.features.push(f);
    const at = bundle.features.length;
    for (let i = 0; i < rows; i++) if (code[i] === 1) bundle.code[i] = at;
  }
  // A bundle of one feature saves nothing: that feature is read as it is.
  const bundles = open
    .filter((b) => b.features.length > 1)
    .map((b) => ({ features: Int32Array.from(b.features), code: b.code }));
  const bundleOf = new Int32Array(codes.length).fill(-1);
  bundles.forEach((b, k) => b.features.forEach((f) => (bundleOf[f] = k)));
  return { bundles, bundleOf };
}
