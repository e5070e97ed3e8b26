// Reading raw rows (CSV fields as strings, JSON instances with numbers and nulls) into typed values:
// blanks and the spec's missing markers become null, numbers are checked, categories are cleaned.
// A value that cannot be read is an error naming its column and value, never a silent NaN.
import type { ColumnSpec, DatasetSpec } from './spec.ts';

export type RawRow = Readonly<Record<string, unknown>>;
export type Value = number | string | null;
export type TypedRow = Record<string, Value>;

/** Bad input: the API answers 400 with `column` and `value`. */
export class TabularInputError extends Error {
  constructor(
    readonly column: string,
    readonly value: unknown,
    readonly reason: string,
    readonly row?: number,
  ) {
    super(`${row === undefined ? '' : `row ${row}: `}${column} ${reason}`);
    this.name = 'TabularInputError';
  }
}

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function readNumber(column: string, v: unknown, row?: number): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TabularInputError(column, v, `is ${show(v)}, not a finite number`, row);
    return v;
  }
  if (typeof v === 'string' && NUMBER.test(v.trim())) return Number(v.trim());
  throw new TabularInputError(column, v, `is ${show(v)}, not a number`, row);
}

function readLabel(column: string, v: unknown, row?: number): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new TabularInputError(column, v, `is ${show(v)}, not a category`, row);
}

export function readValue(c: ColumnSpec, v: unknown, row?: number): Value {
  if (isBlank(v) || c.missing?.some((m) => m === v || String(m) === String(v))) return null;
  if (c.type === 'number') {
    const n = readNumber(c.name, v, row);
    return c.missing?.includes(n) ? null : n;
  }
  const label = readLabel(c.name, v, row);
  return c.clean?.[label] ?? label;
}

/** The spec's columns of one raw row, typed; columns absent from the row are null. */
export function readRow(spec: DatasetSpec, raw: RawRow, row?: number): TypedRow {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new TabularInputError(
      'row',
      raw,
      `is ${Array.isArray(raw) ? 'a list' : show(raw)}, not an object of column values`,
      row,
    );
  const out: TypedRow = {};
  for (const c of spec.columns) out[c.name] = readValue(c, raw[c.name], row);
  return out;
}

/** The target of one training row: a finite number for regression, 0 or 1 for binary classification. */
export function readTarget(spec: DatasetSpec, raw: RawRow, row?: number): number {
  const { column, labels } = spec.target;
  const v = raw[column];
  if (isBlank(v)) throw new TabularInputError(column, v, 'is missing (the target)', row);
  if (spec.task === 'regression') return readNumber(column, v, row);
  if (labels) {
    const i = labels.indexOf(readLabel(column, v, row));
    if (i < 0) throw new TabularInputError(column, v, `is ${show(v)}, not ${labels.join(' or ')}`, row);
    return i;
  }
  const n = typeof v === 'boolean' ? Number(v) : readNumber(column, v, row);
  if (n !== 0 && n !== 1) throw new TabularInputError(column, v, `is ${show(v)}, not 0 or 1`, row);
  return n;
}
