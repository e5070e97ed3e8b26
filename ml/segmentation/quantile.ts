// Quantiles as pandas' Series.quantile computes them by default (numpy's "linear" method): the
// value at index (n - 1) * q of the sorted values, interpolated between its two neighbours. The
// interpolation is written as numpy writes it (from the upper neighbour when past the middle), so
// the IQR bounds, and therefore the rows kept, agree with the seed's to the last bit.

export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  return quantileSorted(sorted, q);
}

/** `sorted` ascending, without NaN. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be in [0, 1], got ${q}`);
  const n = sorted.length;
  if (n === 0) throw new Error('quantile: no values');
  const position = (n - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, n - 1);
  const t = position - below;
  const a = sorted[below]!;
  const b = sorted[above]!;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
