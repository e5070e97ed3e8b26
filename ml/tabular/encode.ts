// Encodings: each feature block learns what it needs from the training rows (categories, bin
// edges, mean and std) and writes its numbers for any row. A category not seen in training goes
// to the block's "unseen" feature, never to an error.
import { fitScaler } from '../segmentation/scaler.ts';
import { quantileSorted } from '../segmentation/quantile.ts';
import type { FeatureSpec, Scaling } from './spec.ts';
import type { TypedRow } from './values.ts';

export const UNSEEN = '(unseen)';

export type FittedFeature =
  | { encode: 'number'; column: string; mean: number; scale: number }
  | { encode: 'onehot'; column: string; categories: string[] }
  | { encode: 'ordinal'; column: string; map: Record<string, number>; unseen: number }
  /** `edges` as pandas' qcut computes them (duplicates dropped): bins are (edges[i-1], edges[i]]. */
  | { encode: 'quantileBins'; column: string; edges: number[]; output: 'ordinal' | 'onehot' }
  | { encode: 'interaction'; column: string; by: string; categories: string[]; mean: number; scale: number };

const numbers = (rows: readonly TypedRow[], column: string) => rows.map((r) => r[column] as number);

function scaling(values: number[], scale: Scaling | undefined): { mean: number; scale: number } {
  if (scale !== 'standardize') return { mean: 0, scale: 1 };
  const s = fitScaler(values.map((v) => [v]));
  return { mean: s.mean[0]!, scale: s.scale[0]! };
}

function categories(rows: readonly TypedRow[], column: string): string[] {
  return [...new Set(rows.map((r) => r[column] as string))].sort();
}

/** Bin edges of pandas' qcut(values, bins, duplicates='drop'): the linear-interpolation quantiles. */
export function quantileEdges(values: readonly number[], bins: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const edges: number[] = [];
  for (let i = 0; i <= bins; i++) {
    const q = quantileSorted(sorted, i / bins);
    if (edges.length === 0 || q !== edges[edges.length - 1]) edges.push(q);
  }
  // a constant column is one bin
  return edges.length === 1 ? [edges[0]!, edges[0]!] : edges;
}

/** The 1-based bin of `x`: right-closed as pd.cut, with values beyond the training range in the end bins. */
export function binOf(edges: readonly number[], x: number): number {
  let bin = 1;
  for (let i = 1; i < edges.length - 1; i++) if (x > edges[i]!) bin++;
  return bin;
}

export function fitFeature(f: FeatureSpec, rows: readonly TypedRow[]): FittedFeature {
  switch (f.encode) {
    case 'number':
      return { encode: 'number', column: f.column, ...scaling(numbers(rows, f.column), f.scale) };
    case 'onehot':
      return { encode: 'onehot', column: f.column, categories: categories(rows, f.column) };
    case 'ordinal':
      return { encode: 'ordinal', column: f.column, map: { ...f.map }, unseen: f.unseen };
    case 'quantileBins':
      return {
        encode: 'quantileBins',
        column: f.column,
        edges: quantileEdges(numbers(rows, f.column), f.bins),
        output: f.output,
      };
    case 'interaction':
      return {
        encode: 'interaction',
        column: f.column,
        by: f.by,
        categories: categories(rows, f.by),
        ...scaling(numbers(rows, f.column), f.scale),
      };
  }
}

export function featureNames(f: FittedFeature): string[] {
  switch (f.encode) {
    case 'number':
    case 'ordinal':
      return [f.column];
    case 'onehot':
      return [...f.categories, UNSEEN].map((c) => `${f.column}_${c}`);
    case 'quantileBins':
      return f.output === 'ordinal'
        ? [f.column]
        : Array.from({ length: f.edges.length - 1 }, (_, i) => `${f.column}_bin${i + 1}`);
    case 'interaction':
      return [...f.categories, UNSEEN].map((c) => `${f.column}*${f.by}_${c}`);
  }
}

/** Writes the block's numbers for one row (values already read, imputed and derived) onto `out`. */
export function encodeFeature(f: FittedFeature, row: TypedRow, out: number[]): void {
  switch (f.encode) {
    case 'number':
      out.push(((row[f.column] as number) - f.mean) / f.scale);
      return;
    case 'ordinal':
      out.push(f.map[row[f.column] as string] ?? f.unseen);
      return;
    case 'onehot':
      oneOf(f.categories, row[f.column] as string, 1, out);
      return;
    case 'quantileBins': {
      const bin = binOf(f.edges, row[f.column] as number);
      if (f.output === 'ordinal') out.push(bin);
      else for (let b = 1; b < f.edges.length; b++) out.push(b === bin ? 1 : 0);
      return;
    }
    case 'interaction':
      oneOf(f.categories, row[f.by] as string, ((row[f.column] as number) - f.mean) / f.scale, out);
      return;
  }
}

/** `value` at the category's position (or the unseen one after them), zeros elsewhere. */
function oneOf(categories: readonly string[], category: string, value: number, out: number[]): void {
  const at = categories.indexOf(category);
  const hit = at < 0 ? categories.length : at;
  for (let i = 0; i <= categories.length; i++) out.push(i === hit ? value : 0);
}
