// Small dense linear algebra on flat row-major Float64Arrays. ml-matrix does the same and is the
// reference the tests compare against; this exists because building its Matrix objects cost more
// than the solve itself for the thousands of 26 x 26 systems a training run solves (bench/README.md).

/**
 * Solves A x = b for a symmetric positive-definite p x p matrix A by Cholesky decomposition.
 * A is overwritten by its factor. Throws if A is not positive definite.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, p: number): Float64Array {
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j]!;
    for (let k = 0; k < j; k++) d -= a[j * p + k]! * a[j * p + k]!;
    if (!(d > 0)) throw new Error(`choleskySolve: matrix is not positive definite (pivot ${j} is ${d})`);
    const l = Math.sqrt(d);
    a[j * p + j] = l;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j]!;
      for (let k = 0; k < j; k++) s -= a[i * p + k]! * a[j * p + k]!;
      a[i * p + j] = s / l;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < p; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= a[i * p + k]! * x[k]!;
    x[i] = s / a[i * p + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < p; k++) s -= a[k * p + i]! * x[k]!;
    x[i] = s / a[i * p + i]!;
  }
  return x;
}
