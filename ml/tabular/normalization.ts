// The normalization statistics of a fitted preprocessing as the seed stores them beside its model
// (normalization_stats.json): each standardized column's training mean and std, and the value that
// fills in each column when it is missing. They are what the preprocessing applies; this is a view
// of it for people and other tools, not a second source of truth.
import type { FittedPreprocessing } from './preprocess.ts';

export interface NormalizationStatistics {
  /** Training rows they were computed on. */
  rows: number;
  /** Per standardized column: (x - mean) / std. */
  columns: Record<string, { mean: number; std: number }>;
  /** Per imputed column: the training value filling in a missing one. */
  fill: Record<string, number | string>;
}

export function normalizationStatistics(p: FittedPreprocessing): NormalizationStatistics {
  const columns: NormalizationStatistics['columns'] = {};
  p.features.forEach((f, i) => {
    const spec = p.spec.features[i]!;
    if (f.encode === 'number' && spec.encode === 'number' && spec.scale === 'standardize')
      columns[f.column] = { mean: f.mean, std: f.scale };
  });
  const fill: NormalizationStatistics['fill'] = {};
  for (const imp of p.imputation) if ('value' in imp) fill[imp.column] = imp.value;
  return { rows: p.rows, columns, fill };
}
