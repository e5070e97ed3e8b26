// What a served model takes as one instance (a JSON object of raw column values), checked before
// predicting: the transform itself takes any category (an unseen one goes to the unseen bucket, as
// batch scoring of new data needs), but a client sending a category the model never saw has most
// likely misspelt it, so serving refuses it, naming the column and the categories it knows.
import { UNSEEN } from './encode.ts';
import { instanceWithHistory } from './history.ts';
import { HISTORY_FIELD, historyColumns, historyHours } from './historySpec.ts';
import { requiredColumns, type FittedPreprocessing } from './preprocess.ts';
import { readValue, TabularInputError, type RawRow } from './values.ts';

export interface InstanceInputs {
  /** Columns every instance must have: those the features read, and the groups of group imputations. */
  required: string[];
  /** Every column an instance may have (the spec's raw columns but those computed from its history). */
  columns: string[];
  /** The model reads the instance's `history` (its spec has history features): how many hours. */
  historyHours?: number;
  /** Of required columns, those the model fills in when null. */
  imputed: string[];
  /** The categories the model knows, per category column it encodes. */
  categories: Record<string, string[]>;
}

/** What instances of this fitted preprocessing must look like (computed once per model version). */
export function instanceInputs(fitted: FittedPreprocessing): InstanceInputs {
  const { spec } = fitted;
  const required = new Set(requiredColumns(spec));
  for (const imp of Object.values(spec.impute ?? {})) if (imp.strategy === 'groupMean') required.add(imp.by);
  const categoryColumns = new Set(spec.columns.filter((c) => c.type === 'category').map((c) => c.name));
  const known = new Map<string, Set<string>>();
  const add = (column: string, values: Iterable<string>) => {
    if (!categoryColumns.has(column)) return;
    const set = known.get(column) ?? new Set<string>();
    for (const v of values) if (v !== UNSEEN) set.add(v);
    known.set(column, set);
  };
  for (const f of fitted.features) {
    if (f.encode === 'onehot') add(f.column, f.categories);
    else if (f.encode === 'ordinal') add(f.column, Object.keys(f.map));
    else if (f.encode === 'interaction') add(f.by, f.categories);
  }
  const computed = new Set(spec.history ? historyColumns(spec.history) : []);
  const columns = spec.columns.map((c) => c.name).filter((c) => !computed.has(c));
  return {
    ...(spec.history ? { historyHours: historyHours(spec.history) } : {}),
    required: columns.filter((c) => required.has(c)),
    columns,
    imputed: columns.filter((c) => required.has(c) && spec.impute?.[c]),
    categories: Object.fromEntries([...known].map(([c, values]) => [c, [...values].sort()])),
  };
}

const list = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** Throws a TabularInputError (column, value, row) for the first thing the model cannot take in this instance (column '' when it is no object). */
export function checkInstance(fitted: FittedPreprocessing, inputs: InstanceInputs, raw: unknown, row: number): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new TabularInputError('', raw, 'must be an object of column values', row);
  const instance = raw as RawRow;
  for (const column of Object.keys(instance))
    if (!inputs.columns.includes(column))
      throw new TabularInputError(
        column,
        instance[column],
        `is not an input of this model; its inputs are ${inputs.columns.join(', ')}`,
        row,
      );
  for (const column of inputs.required)
    if (!(column in instance))
      throw new TabularInputError(
        column,
        undefined,
        `is required${inputs.imputed.includes(column) ? ' (null for an unknown value: the model fills it in)' : ''}`,
        row,
      );
  for (const spec of fitted.spec.columns) {
    if (!(spec.name in instance)) continue;
    const value = readValue(spec, instance[spec.name], row);
    if (value === null) {
      if (inputs.required.includes(spec.name) && !inputs.imputed.includes(spec.name))
        throw new TabularInputError(
          spec.name,
          instance[spec.name],
          `is ${JSON.stringify(instance[spec.name])}; the model cannot fill it in: send a value`,
          row,
        );
      continue;
    }
    const known = inputs.categories[spec.name];
    if (known && !known.includes(String(value)))
      throw new TabularInputError(
        spec.name,
        instance[spec.name],
        `is ${JSON.stringify(instance[spec.name])}, not a category the model knows: ${list(known)}`,
        row,
      );
  }
}

/**
 * The row the model predicts from one served instance: checked (checkInstance), and for a model with
 * history features those computed from the instance's `history` (a TabularInputError naming
 * `history` when it is missing or malformed). A model without them refuses a `history` as any unknown column.
 */
export function servedRow(fitted: FittedPreprocessing, inputs: InstanceInputs, raw: unknown, row: number): RawRow {
  const { spec } = fitted;
  if (!spec.history) {
    checkInstance(fitted, inputs, raw, row);
    return raw as RawRow;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new TabularInputError('', raw, 'must be an object of column values', row);
  const { [HISTORY_FIELD]: history, ...own } = raw as RawRow;
  checkInstance(fitted, inputs, own, row);
  return instanceWithHistory(spec, { ...own, [HISTORY_FIELD]: history }, inputs.columns, row);
}
