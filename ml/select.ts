// Order statistics without a full sort: a fit needs a median and two quantiles of about a hundred
// residuals, and sorting them was a tenth of a weekly run's fitting time (bench/README.md).

/**
 * Rearranges `values` so that values[k] holds what it would hold sorted ascending, with nothing
 * larger before it and nothing smaller after it (Wirth's selection). NaN-free input.
 */
export function selectInPlace(values: Float64Array, k: number): void {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[k]!;
    let i = lo;
    let j = hi;
    do {
      while (values[i]! < pivot) i++;
      while (pivot < values[j]!) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    } while (i <= j);
    if (j < k) lo = i;
    if (k < i) hi = j;
  }
}

/**
 * The q-quantile of `values` (linear between the two order statistics around (n - 1) q), as the
 * sorted array would give it: a + (b - a) t. Reorders `values`.
 */
export function quantileInPlace(values: Float64Array, q: number): number {
  const n = values.length;
  if (n === 0) throw new Error('quantileInPlace: no values');
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  selectInPlace(values, lo);
  const a = values[lo]!;
  // After the selection everything past lo is at least a: the next order statistic is their minimum.
  let b = a;
  if (lo + 1 < n) {
    b = values[lo + 1]!;
    for (let i = lo + 2; i < n; i++) if (values[i]! < b) b = values[i]!;
  }
  return a + (b - a) * (pos - lo);
}
