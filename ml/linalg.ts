// Small dense linear algebra on flat row-major Float64Arrays. ml-matrix does the same and is the
// reference the tests compare against; this exists because building its Matrix objects cost more
// than the solve itself for the thousands of 26 x 26 systems a training run solves (bench/README.md).

/**
 * Solves A x = b for a symmetric positive-definite p x p matrix A by Cholesky decomposition, reading
 * only A's lower triangle. A is overwritten by its factor; x goes into `out` (a new array without it).
 * Throws if A is not positive definite.
 */
export function choleskySolve(
  a: Float64Array,
  b: Float64Array,
  p: number,
  out: Float64Array = new Float64Array(p),
): Float64Array {
  for (let j = 0, rj = 0; j < p; j++, rj += p) {
    let d = a[rj + j]!;
    for (let k = rj; k < rj + j; k++) d -= a[k]! * a[k]!;
    if (!(d > 0)) throw new Error(`choleskySolve: matrix is not positive definite (pivot ${j} is ${d})`);
    const l = Math.sqrt(d);
    a[rj + j] = l;
    for (let ri = rj + p; ri < p * p; ri += p) {
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s / l;
    }
  }
  const x = out;
  for (let i = 0, ri = 0; i < p; i++, ri += p) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[ri + k]! * x[k]!;
    x[i] = s / a[ri + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1, rk = k * p; k < p; k++, rk += p) s -= a[rk + i]! * x[k]!;
    x[i] = s / a[i * p + i]!;
  }
  return x;
}
