// fitPreprocessing learns everything from the training rows only (imputation statistics, category
// lists, bin edges, scaling); transform is the one code path from raw rows to a learner's rows of
// numbers, used for training, evaluation, batch scoring and the API alike.
import { derive } from './derive.ts';
import { encodeFeature, featureNames, fitFeature, type FittedFeature } from './encode.ts';
import { fitImputation, impute, type FittedImputation } from './impute.ts';
import { validateSpec, type DatasetSpec } from './spec.ts';
import { readRow, type RawRow } from './values.ts';

/** Plain JSON, stored with the model. */
export interface FittedPreprocessing {
  spec: DatasetSpec;
  /** Training rows it was fitted on. */
  rows: number;
  imputation: FittedImputation[];
  features: FittedFeature[];
  featureNames: string[];
}

export interface Transformed {
  x: number[][];
  featureNames: string[];
}

/** The columns the features read, directly or through derived columns: these must have a value. */
export function requiredColumns(spec: DatasetSpec): string[] {
  const derived = new Map((spec.derive ?? []).map((d) => [d.name, d]));
  const needed = new Set<string>();
  const add = (c: string): void => {
    const d = derived.get(c);
    if (!d) needed.add(c);
    else if (d.kind === 'product') d.of.forEach(add);
    else add(d.from);
  };
  for (const f of spec.features) {
    add(f.column);
    if (f.encode === 'interaction') add(f.by);
  }
  return [...needed];
}

export function fitPreprocessing(spec: DatasetSpec, trainRows: readonly RawRow[]): FittedPreprocessing {
  validateSpec(spec);
  if (trainRows.length === 0) throw new Error(`fitPreprocessing ${spec.name}: no training rows`);
  const typed = trainRows.map((raw, i) => readRow(spec, raw, i));
  const imputation = fitImputation(spec, typed);
  const required = requiredColumns(spec);
  const rows = typed.map((r, i) => derive(spec.derive ?? [], impute(imputation, r, required, i)));
  const features = spec.features.map((f) => fitFeature(f, rows));
  return { spec, rows: trainRows.length, imputation, features, featureNames: features.flatMap(featureNames) };
}

/** Rows of numbers in `featureNames` order; throws a TabularInputError naming the column and value it cannot take. */
export function transform(fitted: FittedPreprocessing, rows: readonly RawRow[]): Transformed {
  const { spec, imputation } = fitted;
  const required = requiredColumns(spec);
  const x = rows.map((raw, i) => {
    const row = derive(spec.derive ?? [], impute(imputation, readRow(spec, raw, i), required, i));
    const out: number[] = [];
    for (const f of fitted.features) encodeFeature(f, row, out);
    return out;
  });
  return { x, featureNames: fitted.featureNames };
}
