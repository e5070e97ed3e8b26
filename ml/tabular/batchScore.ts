// Batch scoring of raw rows with a fitted model: each row keyed by the spec's key columns, scored
// through predictTabular (the path serving takes), or rejected with the reason naming its place in
// the source and the column: a missing key, a key seen before, a value the spec cannot read.
import { predictTabular, type FittedTabular } from './evaluate.ts';
import { transform } from './preprocess.ts';
import { TabularInputError, type RawRow } from './values.ts';

export interface BatchScore {
  scored: { index: number; key: string; prediction: number }[];
  rejected: { index: number; reason: string }[];
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

/** `placeOf(i)` names row i in its source (e.g. "line 7"). */
export function batchScore(fitted: FittedTabular, rows: readonly RawRow[], placeOf: (i: number) => string): BatchScore {
  const spec = fitted.preprocessing.spec;
  const keyColumns = spec.key ?? [];
  if (!keyColumns.length) throw new Error(`spec ${spec.name} names no key columns: its rows cannot be keyed`);
  const seen = new Map<string, number>();
  const rejected: BatchScore['rejected'] = [];
  const valid: { index: number; key: string }[] = [];
  rows.forEach((raw, index) => {
    const reject = (reason: string) => rejected.push({ index, reason: `${placeOf(index)}: ${reason}` });
    const values = keyColumns.map((c) => text(raw[c]));
    const blank = keyColumns.find((_, k) => values[k] === '');
    if (blank) return reject(`${blank} is missing (a key column)`);
    const key = values.join('/');
    const first = seen.get(key);
    if (first !== undefined) return reject(`${keyColumns.join('+')} ${key} is also at ${placeOf(first)}`);
    seen.set(key, index);
    try {
      transform(fitted.preprocessing, [raw]);
    } catch (err) {
      if (!(err instanceof TabularInputError)) throw err;
      return reject(err.message.replace(/^row \d+: /, ''));
    }
    valid.push({ index, key });
  });
  const predictions = valid.length
    ? predictTabular(
        fitted,
        valid.map((v) => rows[v.index]!),
      )
    : [];
  const scored: BatchScore['scored'] = [];
  valid.forEach((v, i) => {
    const prediction = predictions[i]!;
    if (Number.isFinite(prediction)) scored.push({ ...v, prediction });
    else rejected.push({ index: v.index, reason: `${placeOf(v.index)}: the model predicts ${prediction}` });
  });
  rejected.sort((a, b) => a.index - b.index);
  return { scored, rejected };
}
