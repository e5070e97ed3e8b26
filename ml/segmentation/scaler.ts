// Standardization as scikit-learn's StandardScaler: population standard deviation (ddof 0), the
// variance with its rounding correction, and a scale of 1 for a constant column (never a 0 divide).

export interface Scaler {
  mean: number[];
  scale: number[];
}

export function fitScaler(rows: readonly (readonly number[])[]): Scaler {
  const n = rows.length;
  if (n === 0) throw new Error('fitScaler: no rows');
  const width = rows[0]!.length;
  const mean: number[] = [];
  const scale: number[] = [];
  for (let j = 0; j < width; j++) {
    let sum = 0;
    rows.forEach((row, i) => {
      const v = row[j];
      if (row.length !== width || v === undefined || !Number.isFinite(v))
        throw new Error(`fitScaler: row ${i} column ${j} is ${v}, not a number`);
      sum += v;
    });
    const m = sum / n;
    let squares = 0;
    let correction = 0;
    for (const row of rows) {
      const d = row[j]! - m;
      squares += d * d;
      correction += d;
    }
    const variance = (squares - (correction * correction) / n) / n;
    // sklearn treats a variance within rounding of 0 as a constant column
    const constant = variance <= n * Number.EPSILON * variance + (n * m * Number.EPSILON) ** 2;
    mean.push(m);
    scale.push(constant ? 1 : Math.sqrt(variance));
  }
  return { mean, scale };
}

export function transform(scaler: Scaler, rows: readonly (readonly number[])[]): number[][] {
  return rows.map((row, i) => {
    if (row.length !== scaler.mean.length)
      throw new Error(`transform: row ${i} has ${row.length} values, the scaler ${scaler.mean.length}`);
    return row.map((v, j) => (v - scaler.mean[j]!) / scaler.scale[j]!);
  });
}

/** Back from the scaled space, e.g. to compare centroids of versions with different scalers. */
export function inverseTransform(scaler: Scaler, rows: readonly (readonly number[])[]): number[][] {
  return rows.map((row) => row.map((v, j) => v * scaler.scale[j]! + scaler.mean[j]!));
}

/** The scaler fitted on `rows` and the rows it scales. */
export function standardize(rows: readonly (readonly number[])[]): { scaler: Scaler; points: number[][] } {
  const scaler = fitScaler(rows);
  return { scaler, points: transform(scaler, rows) };
}
