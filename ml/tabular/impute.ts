// Imputation: statistics learned from the training rows (mean, median, mode, the mean within a
// group such as an item's weight across outlets), then filled into any row the same way.
import type { DatasetSpec, Imputation } from './spec.ts';
import { TabularInputError, type TypedRow, type Value } from './values.ts';

export type FittedImputation =
  | { column: string; value: number | string }
  | { column: string; by: string; means: Record<string, number>; fallback: number };

export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The most frequent value; ties go to the smallest, as pandas' mode()[0]. */
export function mode<T extends number | string>(values: readonly T[]): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | undefined;
  let bestCount = 0;
  for (const [v, n] of counts)
    if (n > bestCount || (n === bestCount && best !== undefined && v < best)) [best, bestCount] = [v, n];
  return best!;
}

function fitOne(column: string, imp: Imputation, rows: readonly TypedRow[]): FittedImputation {
  if (imp.strategy === 'constant') return { column, value: imp.value };
  const present = rows.map((r) => r[column]).filter((v): v is number | string => v !== null);
  if (present.length === 0)
    throw new Error(`imputation of ${column}: no training row has a value (${imp.strategy} needs some)`);
  if (imp.strategy === 'mode') return { column, value: mode(present) };
  const numbers = present as number[];
  if (imp.strategy === 'mean') return { column, value: mean(numbers) };
  if (imp.strategy === 'median') return { column, value: median(numbers) };
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const v = r[column];
    const g = r[imp.by];
    if (v === null || g === null || g === undefined) continue;
    const group = groups.get(String(g));
    if (group) group.push(v as number);
    else groups.set(String(g), [v as number]);
  }
  const means: Record<string, number> = {};
  for (const [g, vs] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) means[g] = mean(vs);
  return { column, by: imp.by, means, fallback: imp.fallback === 'mean' ? mean(numbers) : median(numbers) };
}

export function fitImputation(spec: DatasetSpec, rows: readonly TypedRow[]): FittedImputation[] {
  return Object.entries(spec.impute ?? {}).map(([column, imp]) => fitOne(column, imp, rows));
}

/** The row with its missing values filled; a missing value of a column without imputation is an error. */
export function impute(
  fitted: readonly FittedImputation[],
  row: TypedRow,
  required: readonly string[],
  index?: number,
): TypedRow {
  const out = { ...row };
  for (const f of fitted) {
    if (out[f.column] !== null) continue;
    let v: Value;
    if ('value' in f) v = f.value;
    else {
      const g = out[f.by];
      v = g === null || g === undefined ? f.fallback : (f.means[String(g)] ?? f.fallback);
    }
    out[f.column] = v;
  }
  for (const c of required)
    if (out[c] === null || out[c] === undefined)
      throw new TabularInputError(c, out[c], 'is missing and the spec has no imputation for it', index);
  return out;
}
