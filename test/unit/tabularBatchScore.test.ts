// batchScore: rows keyed by the spec's key columns and scored through predictTabular, or rejected
// naming their place and the reason (a missing key, a repeated key, a value the spec cannot read).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchScore } from '../../ml/tabular/batchScore.ts';
import { fitTabular, predictTabular } from '../../ml/tabular/evaluate.ts';
import { BIGMART_SPEC } from '../../ml/tabular/presets/bigmart.ts';
import type { RawRow } from '../../ml/tabular/values.ts';
import { bigmartCsvLine, BIGMART_TRAIN_HEADER, generateBigMart } from '../../scripts/data/bigmartGenerator.ts';

const { train, test } = generateBigMart({ seed: 3, rows: 200 });
const asRaw = (rows: typeof train): RawRow[] => {
  const header = BIGMART_TRAIN_HEADER.split(',');
  return rows.map((r) =>
    Object.fromEntries(
      bigmartCsvLine(r)
        .split(',')
        .map((v, i) => [header[i]!, v]),
    ),
  );
};
const fitted = fitTabular(BIGMART_SPEC, asRaw(train), 'ridge', { alpha: 1 }, 0);
const placeOf = (i: number) => `line ${i + 2}`;

describe('batchScore', () => {
  it('keys each row by item and outlet and scores it as predictTabular does', () => {
    const rows = asRaw(test);
    const { scored, rejected } = batchScore(fitted, rows, placeOf);
    assert.deepEqual(rejected, []);
    assert.deepEqual(
      scored.map((s) => s.key),
      rows.map((r) => `${r.Item_Identifier as string}/${r.Outlet_Identifier as string}`),
    );
    assert.deepEqual(
      scored.map((s) => s.prediction),
      predictTabular(fitted, rows),
    );
  });

  it('rejects a bad number, a missing key and a repeated key, naming the place and the column', () => {
    const rows = asRaw(test).slice(0, 5);
    const bad = [
      ...rows,
      { ...rows[1]!, Item_MRP: 'abc', Item_Identifier: 'NEW01' },
      { ...rows[2]!, Outlet_Identifier: ' ' },
      { ...rows[3]! },
    ];
    const { scored, rejected } = batchScore(fitted, bad, placeOf);
    assert.deepEqual(
      scored.map((s) => s.index),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(rejected, [
      { index: 5, reason: 'line 7: Item_MRP is "abc", not a number' },
      { index: 6, reason: 'line 8: Outlet_Identifier is missing (a key column)' },
      {
        index: 7,
        reason: `line 9: Item_Identifier+Outlet_Identifier ${rows[3]!.Item_Identifier as string}/${rows[3]!.Outlet_Identifier as string} is also at line 5`,
      },
    ]);
  });

  it('refuses a model whose spec names no key columns', () => {
    const keyless = { ...fitted, preprocessing: { ...fitted.preprocessing, spec: { ...BIGMART_SPEC, key: [] } } };
    assert.throws(() => batchScore(keyless, asRaw(test), placeOf), { message: /names no key columns/ });
  });
});
