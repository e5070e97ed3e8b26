// A dataset spec: plain JSON data saying how raw rows (CSV fields, JSON instances) become the rows
// of numbers a learner takes. Stored with every model, with what fitPreprocessing learned from the
// training rows, so serving applies exactly what training did.
import { historyColumns, type HistorySpec } from './historySpec.ts';
import type { Task } from './learner.ts';
import type { Sampling } from './oversampling.ts';
import type { ThresholdRule } from './threshold.ts';
import type { SearchSpace } from './searchSpace.ts';

/** `id` and `ignored` columns are read (dedupe, group keys) but never encoded as they are. */
export type ColumnType = 'number' | 'category' | 'id' | 'ignored';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** Raw values that mean "missing" besides blank and null (e.g. 0 visibility, -200 air quality). */
  missing?: (string | number)[];
  /** Category spellings mapped to one label, e.g. { LF: 'Low Fat', reg: 'Regular' }. */
  clean?: Record<string, string>;
}

export interface TargetSpec {
  column: string;
  /** Binary only, when the target is a label: [negative, positive]; otherwise it must be 0 or 1. */
  labels?: [string, string];
}

/** Rows dropped before the split (training data only; serving never drops a row). */
export type RowFilter =
  /** Rows with any missing value among `columns` (every column and the target when absent), as pandas' dropna. */
  | { kind: 'dropna'; columns?: string[] }
  /** Rows equal to an earlier one in every column, as pandas' drop_duplicates. */
  | { kind: 'dropDuplicates' };

export type Imputation =
  | { strategy: 'mean' }
  | { strategy: 'median' }
  | { strategy: 'mode' }
  | { strategy: 'constant'; value: number | string }
  /** The mean of the column within the row's group (e.g. an item's weight across outlets); `fallback` where the group has none. */
  | { strategy: 'groupMean'; by: string; fallback: 'mean' | 'median' };

/** Columns computed from others after imputation, usable as features like any column. */
export type DerivedColumn =
  /** `reference - from`, e.g. an outlet's age from its establishment year. */
  | { name: string; kind: 'age'; from: string; reference: number }
  /** The first `length` characters of a category or id, e.g. FD/DR/NC of an item identifier. */
  | { name: string; kind: 'prefix'; from: string; length: number }
  /** The product of two number columns. */
  | { name: string; kind: 'product'; of: [string, string] };

export type Scaling = 'none' | 'standardize';

/** One encoded feature block, in output order. */
export type FeatureSpec =
  /** A number column as it is or standardized (mean and population std of the training rows). */
  | { column: string; encode: 'number'; scale?: Scaling }
  /** One 0/1 feature per training category (sorted), plus an "unseen" bucket for anything else. */
  | { column: string; encode: 'onehot' }
  /** A fixed map from category to number; `unseen` for a category not in the map. */
  | { column: string; encode: 'ordinal'; map: Record<string, number>; unseen: number }
  /** Quantile bins of a number column as pandas' qcut (right-closed), as the bin number 1..bins or one-hot. */
  | { column: string; encode: 'quantileBins'; bins: number; output: 'ordinal' | 'onehot' }
  /** A number column times each category's indicator (price x outlet type), one feature per category plus unseen. */
  | { column: string; encode: 'interaction'; by: string; scale?: Scaling };

export interface DatasetSpec {
  name: string;
  task: Task;
  target: TargetSpec;
  /** Every raw column read; others in a row are ignored. */
  columns: ColumnSpec[];
  filters?: RowFilter[];
  impute?: Record<string, Imputation>;
  derive?: DerivedColumn[];
  /**
   * Features from each row's series in the hours before it (history.ts): computed over the source's
   * rows before the filters, and at serving from an instance's `history`. Its columns
   * (historyColumns) must be declared as number columns.
   */
  history?: HistorySpec;
  features: FeatureSpec[];
  /**
   * Feature sets a search chooses among by cross-validation, by name: a trial's `features`
   * parameter names one (a parameter of the whole pipeline, as in a scikit-learn pipeline search).
   * A trial that names none uses `features`.
   */
  featureSets?: Record<string, FeatureSpec[]>;
  /** Raw columns that together name a row (BigMart: item and outlet): batch predictions are keyed by them. */
  key?: string[];
  /**
   * Binary only: oversamplings of the minority class a search chooses among by cross-validation
   * (a trial's `sampling` parameter), applied to each fold's training part and the final training rows.
   */
  samplings?: Sampling[];
  /** A grid search's grid of a learner on this dataset, in place of the learner's own (learners.ts). */
  grids?: Record<string, SearchSpace>;
  /** Binary only: how the decision threshold is chosen on the out-of-fold predictions (none: 0.5). */
  threshold?: ThresholdRule;
  /** Binary only: the least test recall and precision a production model must have (`npm run gate`). */
  gate?: { recall: number; precision: number };
  /**
   * How a search's cross-validation folds are cut: shuffled k folds (default), or forward chaining
   * on a time column (`column`, compared as text), for data whose model predicts later rows from
   * earlier ones: each fold then trains on earlier rows only and predicts the next block.
   */
  crossValidation?: { kind: 'forwardChaining'; column: string };
  /** The IANA time zone of its versions' timestamp labels (default UTC), e.g. a seed's US/Eastern. */
  versionTimeZone?: string;
}

/** The trial parameter naming one of the spec's feature sets. */
export const FEATURE_SET_PARAM = 'features';

/** The spec with the named feature set as its features, and no other sets: what a model is fitted with. */
export function withFeatureSet(spec: DatasetSpec, name: string): DatasetSpec {
  const { featureSets = {}, history, ...rest } = spec;
  if (!Object.hasOwn(featureSets, name))
    throw new Error(
      `spec ${spec.name}: no feature set ${name} (known: ${Object.keys(featureSets).join(', ') || 'none, the spec has no feature sets'})`,
    );
  const features = featureSets[name]!;
  // a set that reads no history feature serves without an instance's history
  const computed = new Set(history ? historyColumns(history) : []);
  const readsHistory = features.some((f) => computed.has(f.column));
  return { ...rest, ...(readsHistory ? { history } : {}), name: `${spec.name}-${name}-features`, features };
}

/** The type of every column a feature may name: raw columns and derived ones. */
export function columnTypes(spec: DatasetSpec): Map<string, ColumnType> {
  const types = new Map<string, ColumnType>();
  for (const c of spec.columns) {
    if (types.has(c.name)) throw new Error(`spec ${spec.name}: column ${c.name} is declared twice`);
    types.set(c.name, c.type);
  }
  for (const d of spec.derive ?? []) {
    if (types.has(d.name)) throw new Error(`spec ${spec.name}: derived column ${d.name} clashes with another column`);
    const need = (column: string, kinds: ColumnType[]) => {
      const t = types.get(column);
      if (!t || !kinds.includes(t))
        throw new Error(`spec ${spec.name}: derived ${d.name} needs ${kinds.join(' or ')} column ${column}, got ${t}`);
    };
    if (d.kind === 'age') need(d.from, ['number']);
    else if (d.kind === 'prefix') need(d.from, ['category', 'id']);
    else d.of.forEach((c) => need(c, ['number']));
    types.set(d.name, d.kind === 'prefix' ? 'category' : 'number');
  }
  return types;
}

/** Checks that every name a spec uses exists with a type that fits; throws naming the first that does not. */
export function validateSpec(spec: DatasetSpec): void {
  const types = columnTypes(spec);
  const need = (what: string, column: string, kinds: ColumnType[]) => {
    const t = types.get(column);
    if (!t || !kinds.includes(t))
      throw new Error(`spec ${spec.name}: ${what} needs a ${kinds.join(' or ')} column ${column}, got ${t ?? 'none'}`);
  };
  if (spec.columns.some((c) => c.name === spec.target.column))
    throw new Error(`spec ${spec.name}: the target ${spec.target.column} is also an input column`);
  if (spec.task === 'regression' && spec.target.labels)
    throw new Error(`spec ${spec.name}: target labels are for binary classification only`);
  // filters run on raw rows, before anything is derived
  const raw = new Set([...spec.columns.map((c) => c.name), spec.target.column]);
  for (const f of spec.filters ?? [])
    if (f.kind === 'dropna')
      for (const c of f.columns ?? [])
        if (!raw.has(c)) throw new Error(`spec ${spec.name}: dropna names ${c}, not a raw column or the target`);
  for (const [column, imp] of Object.entries(spec.impute ?? {})) {
    const t = types.get(column);
    if (!t || spec.derive?.some((d) => d.name === column))
      throw new Error(`spec ${spec.name}: imputation for unknown column ${column}`);
    if (imp.strategy === 'mean' || imp.strategy === 'median' || imp.strategy === 'groupMean')
      need(`${imp.strategy} imputation`, column, ['number']);
    if (imp.strategy === 'groupMean') need('groupMean imputation group', imp.by, ['category', 'id']);
    if (imp.strategy === 'constant' && typeof imp.value !== (t === 'number' ? 'number' : 'string'))
      throw new Error(`spec ${spec.name}: constant for ${column} must be a ${t === 'number' ? 'number' : 'string'}`);
  }
  if (spec.history) {
    const windows = [...spec.history.lags, ...spec.history.means, ...spec.history.deviations];
    if (!windows.every((w) => Number.isInteger(w) && w >= 1))
      throw new Error(
        `spec ${spec.name}: history lags and windows must be whole hours >= 1, got ${windows.join(', ')}`,
      );
    need('history time', spec.history.time, ['id']);
    for (const c of spec.history.columns) need('history', c, ['number']);
    for (const c of historyColumns(spec.history)) need('history feature', c, ['number']);
  }
  for (const k of spec.key ?? [])
    if (!spec.columns.some((c) => c.name === k)) throw new Error(`spec ${spec.name}: key names ${k}, not a raw column`);
  if (spec.versionTimeZone !== undefined && !isTimeZone(spec.versionTimeZone))
    throw new Error(`spec ${spec.name}: versionTimeZone ${spec.versionTimeZone} is not an IANA time zone`);
  if (spec.task !== 'binary' && (spec.samplings || spec.threshold || spec.gate))
    throw new Error(`spec ${spec.name}: samplings, threshold and gate are for binary classification only`);
  validateFeatures(spec.name, '', spec.features, need);
  for (const [name, features] of Object.entries(spec.featureSets ?? {}))
    validateFeatures(spec.name, `feature set ${name}: `, features, need);
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** `set` prefixes what is said about a feature set's features ('' for the spec's own). */
function validateFeatures(
  specName: string,
  set: string,
  features: readonly FeatureSpec[],
  need: (what: string, column: string, kinds: ColumnType[]) => void,
): void {
  if (features.length === 0) throw new Error(`spec ${specName}: ${set}no features`);
  for (const f of features) {
    if (f.encode === 'number' || f.encode === 'quantileBins' || f.encode === 'interaction')
      need(set + f.encode, f.column, ['number']);
    else need(set + f.encode, f.column, ['category']);
    if (f.encode === 'interaction') need(`${set}interaction`, f.by, ['category']);
    if (f.encode === 'ordinal' && ![...Object.values(f.map), f.unseen].every(Number.isFinite))
      throw new Error(`spec ${specName}: ${set}ordinal map of ${f.column} must map to finite numbers`);
    if (f.encode === 'quantileBins' && !(Number.isInteger(f.bins) && f.bins >= 2))
      throw new Error(`spec ${specName}: ${set}quantileBins of ${f.column} needs bins >= 2, got ${f.bins}`);
  }
}
