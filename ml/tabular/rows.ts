// The spec's row filters (before the split, on training data only) and the targets of training rows.
import type { DatasetSpec } from './spec.ts';
import { readTarget, readValue, type RawRow } from './values.ts';

export interface FilteredRows {
  rows: RawRow[];
  /** Rows each filter dropped, in the spec's order, e.g. [{ kind: 'dropna', dropped: 3873 }]. */
  steps: { kind: string; dropped: number }[];
}

export function filterRows(spec: DatasetSpec, rows: readonly RawRow[]): FilteredRows {
  let kept = [...rows];
  const steps: FilteredRows['steps'] = [];
  for (const f of spec.filters ?? []) {
    const before = kept.length;
    if (f.kind === 'dropna') {
      const names = f.columns ?? [...spec.columns.map((c) => c.name), spec.target.column];
      const byName = new Map(spec.columns.map((c) => [c.name, c]));
      kept = kept.filter((raw, i) =>
        names.every((name) => {
          const c = byName.get(name) ?? { name, type: 'ignored' as const };
          return readValue(c, raw[name], i) !== null;
        }),
      );
    } else {
      const names = [...spec.columns.map((c) => c.name), spec.target.column];
      const seen = new Set<string>();
      kept = kept.filter((raw) => {
        const key = JSON.stringify(names.map((n) => raw[n] ?? null));
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    steps.push({ kind: f.kind, dropped: before - kept.length });
  }
  return { rows: kept, steps };
}

/** The target of every row; throws naming the row and value where one is missing or not a target. */
export function targets(spec: DatasetSpec, rows: readonly RawRow[]): number[] {
  return rows.map((raw, i) => readTarget(spec, raw, i));
}
