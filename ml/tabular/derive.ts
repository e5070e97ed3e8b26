// Derived columns, computed from a row's (imputed) values alone, so training and serving agree.
import type { DerivedColumn } from './spec.ts';
import type { TypedRow } from './values.ts';

export function derive(columns: readonly DerivedColumn[], row: TypedRow): TypedRow {
  if (columns.length === 0) return row;
  const out = { ...row };
  for (const d of columns) {
    if (d.kind === 'age') {
      const from = out[d.from] as number | null;
      out[d.name] = from === null ? null : d.reference - from;
    } else if (d.kind === 'prefix') {
      const from = out[d.from] as string | null;
      out[d.name] = from === null ? null : from.slice(0, d.length);
    } else {
      const [a, b] = d.of.map((c) => out[c] as number | null);
      out[d.name] = a === null || b === null || a === undefined || b === undefined ? null : a * b;
    }
  }
  return out;
}
