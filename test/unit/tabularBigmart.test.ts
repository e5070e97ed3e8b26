import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { BIGMART_SEED_SPEC, BIGMART_SPEC, bigmartSearchSpec, bigmartSpec } from '../../ml/tabular/presets/bigmart.ts';
import { validateSpec, withFeatureSet } from '../../ml/tabular/spec.ts';
import { fitPreprocessing, transform } from '../../ml/tabular/preprocess.ts';
import { filterRows, targets } from '../../ml/tabular/rows.ts';
import { randomSplit } from '../../ml/tabular/split.ts';
import {
  BIGMART_DIRT_SHARES,
  BIGMART_TEST_HEADER,
  BIGMART_TRAIN_HEADER,
  bigmartCsvLine,
  generateBigMart,
  OUTLETS,
} from '../../scripts/data/bigmartGenerator.ts';
import { generateBigmartCommand } from '../../scripts/data/generateBigmart.ts';

const data = generateBigMart({ seed: 5, rows: 8523 });
const pick = <T>(rows: readonly T[], indices: readonly number[]) => indices.map((i) => rows[i]!);
/** The seed's example request to its /predict, with the labels its ordinals stand for. */
const seedRequest = {
  Item_Weight: 9.3,
  Item_Visibility: 0.016047,
  Item_MRP: 249.8092,
  Outlet_Establishment_Year: 1999,
  Outlet_Size: 'Medium',
  Outlet_Location_Type: 'Tier 3',
  Outlet_Type: 'Supermarket Type2',
};

describe('BigMart generator', () => {
  it('is deterministic by seed with the real files’ columns, row counts, outlets and items', () => {
    assert.deepEqual(generateBigMart({ seed: 5, rows: 8523 }), data);
    assert.notDeepEqual(generateBigMart({ seed: 6, rows: 8523 }).train, data.train);
    assert.equal(data.train.length, 8523);
    assert.equal(data.test.length, 5681);
    assert.equal(
      BIGMART_TRAIN_HEADER,
      'Item_Identifier,Item_Weight,Item_Fat_Content,Item_Visibility,Item_Type,Item_MRP,Outlet_Identifier,Outlet_Establishment_Year,Outlet_Size,Outlet_Location_Type,Outlet_Type,Item_Outlet_Sales',
    );
    assert.equal(BIGMART_TEST_HEADER, BIGMART_TRAIN_HEADER.replace(',Item_Outlet_Sales', ''));
    const outlets = new Map(OUTLETS.map((o) => [o.id, o]));
    for (const o of OUTLETS) {
      assert.equal(data.train.filter((r) => r.Outlet_Identifier === o.id).length, o.train);
      assert.equal(data.test.filter((r) => r.Outlet_Identifier === o.id).length, o.test);
    }
    assert.equal(new Set(OUTLETS.map((o) => o.type)).size, 4);
    const all = [...data.train, ...data.test];
    assert.equal(new Set(all.map((r) => r.Item_Identifier)).size, 1559);
    assert.ok(all.every((r) => /^(FD|DR|NC)[A-Z]\d\d$/.test(r.Item_Identifier)));
    assert.ok(all.every((r) => r.Outlet_Size === outlets.get(r.Outlet_Identifier)!.size));
    assert.ok(data.test.every((r) => r.Item_Outlet_Sales === undefined));
    // an item is sold once per outlet, with one weight wherever it is given
    assert.equal(new Set(all.map((r) => `${r.Item_Identifier} ${r.Outlet_Identifier}`)).size, all.length);
    const weights = new Map<string, Set<string>>();
    for (const r of all.filter((r) => r.Item_Weight !== ''))
      weights.set(r.Item_Identifier, (weights.get(r.Item_Identifier) ?? new Set()).add(r.Item_Weight));
    assert.ok([...weights.values()].every((w) => w.size === 1));
  });

  it('has the real files’ dirt: blank weights and sizes by outlet, fat content spellings, zero visibility', () => {
    const count = (f: (r: (typeof data.train)[number]) => boolean) => data.train.filter(f).length;
    assert.equal(
      count((r) => r.Item_Weight === ''),
      528 + 935,
    );
    assert.equal(
      count((r) => r.Outlet_Size === ''),
      555 + 926 + 929,
    );
    assert.equal(
      count((r) => r.Item_Fat_Content === 'LF'),
      316,
    );
    assert.equal(
      count((r) => r.Item_Fat_Content === 'low fat'),
      112,
    );
    assert.equal(
      count((r) => r.Item_Fat_Content === 'reg'),
      117,
    );
    assert.equal(
      count((r) => r.Item_Visibility === '0'),
      Math.round(BIGMART_DIRT_SHARES.zeroVisibility * 8523),
    );
    assert.ok(data.test.some((r) => r.Item_Fat_Content === 'LF') && data.test.some((r) => r.Item_Weight === ''));
  });

  it('makes sales rise with price and differ by outlet type (Grocery lowest, Type3 highest)', () => {
    const mean = (type: string) => {
      const rows = data.train.filter((r) => r.Outlet_Type === type);
      return rows.reduce((s, r) => s + Number(r.Item_Outlet_Sales) / Number(r.Item_MRP), 0) / rows.length;
    };
    const [grocery, type1, type2, type3] = [
      'Grocery Store',
      'Supermarket Type1',
      'Supermarket Type2',
      'Supermarket Type3',
    ].map(mean) as [number, number, number, number];
    assert.ok(grocery < type2 && type2 < type1 && type1 < type3, `${grocery} ${type1} ${type2} ${type3}`);
  });

  it('writes Train.csv and Test.csv that csv-parse reads back', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'bigmart-'));
    generateBigmartCommand(['--out', out, '--rows', '500', '--seed', '3']);
    const small = generateBigMart({ seed: 3, rows: 500 });
    const train = await readFile(path.join(out, 'Train.csv'), 'utf8');
    assert.equal(train, [BIGMART_TRAIN_HEADER, ...small.train.map(bigmartCsvLine)].join('\n') + '\n');
    const parsed = parse<Record<string, string>>(await readFile(path.join(out, 'Test.csv'), 'utf8'), { columns: true });
    assert.equal(parsed.length, small.test.length);
    assert.deepEqual(parsed[0], { ...small.test[0] });
    assert.throws(
      () => generateBigmartCommand(['--out', out, '--rows', '5']),
      /--rows must be a whole number >= 100, got "5"/,
    );
  });
});

describe('BigMart specs', () => {
  // the seed concatenates Train.csv and Test.csv before dropping blanks: Test's rows go for want of a target
  const combined = [...data.train, ...data.test];

  it('the seed pipeline keeps 4,650 rows of Supermarket Type1 and Type2 and encodes them as the seed does', () => {
    const { rows, steps } = filterRows(BIGMART_SEED_SPEC, combined);
    assert.equal(rows.length, 4650);
    assert.deepEqual(steps, [
      { kind: 'dropDuplicates', dropped: 0 },
      { kind: 'dropna', dropped: combined.length - 4650 },
    ]);
    assert.deepEqual([...new Set(rows.map((r) => r.Outlet_Type))].sort(), ['Supermarket Type1', 'Supermarket Type2']);
    const split = randomSplit(rows.length, { testShare: 0.2, seed: 0 });
    const train = pick(rows, split.train);
    const fitted = fitPreprocessing(BIGMART_SEED_SPEC, train);
    const { x, featureNames } = transform(fitted, train);
    assert.deepEqual(featureNames, [
      'Item_Weight',
      'Item_Visibility',
      'Item_MRP',
      'Outlet_Establishment_Year',
      'Outlet_Size',
      'Outlet_Location_Type',
      'Outlet_Type_Supermarket Type1',
      'Outlet_Type_Supermarket Type2',
      'Outlet_Type_(unseen)',
    ]);
    // standardized on the training part: mean 0, population std 1
    for (const j of [0, 1]) {
      const col = x.map((r) => r[j]!);
      const m = col.reduce((a, b) => a + b, 0) / col.length;
      assert.ok(Math.abs(m) < 1e-12);
      assert.ok(Math.abs(col.reduce((a, b) => a + (b - m) ** 2, 0) / col.length - 1) < 1e-12);
    }
    // quartile bins: a quarter of the training rows each (no ties at the edges in generated prices)
    const bins = [1, 2, 3, 4].map((b) => x.filter((r) => r[2] === b).length);
    assert.ok(
      bins.every((n) => Math.abs(n - train.length / 4) <= 1),
      String(bins),
    );
    const row = transform(fitted, [seedRequest]).x[0]!;
    assert.deepEqual(row.slice(2), [4, 1999, 1, 0, 0, 1, 0]);
    // an outlet type the seed never trained on goes to the unseen bucket instead of failing
    assert.deepEqual(transform(fitted, [{ ...seedRequest, Outlet_Type: 'Grocery Store' }]).x[0]!.slice(6), [0, 0, 1]);
    assert.equal(targets(BIGMART_SEED_SPEC, train).length, train.length);
  });

  it('with imputation every training row and every Test.csv row is usable, all four outlet types', () => {
    const { rows } = filterRows(BIGMART_SPEC, combined);
    assert.equal(rows.length, 8523);
    const fitted = fitPreprocessing(BIGMART_SPEC, rows);
    const { x, featureNames } = transform(fitted, rows);
    assert.ok(x.every((r) => r.length === featureNames.length && r.every(Number.isFinite)));
    for (const type of ['Grocery Store', 'Supermarket Type1', 'Supermarket Type2', 'Supermarket Type3'])
      assert.ok(featureNames.includes(`Item_MRP*Outlet_Type_${type}`), type);
    assert.ok(featureNames.includes('Item_Fat_Content_Low Fat') && !featureNames.includes('Item_Fat_Content_LF'));
    assert.equal(transform(fitted, data.test).x.length, data.test.length);
    // a blank weight takes the item's weight from its other outlets; a zero visibility the item's mean
    const item = rows.find(
      (r) => r.Item_Weight === '' && rows.some((o) => o.Item_Identifier === r.Item_Identifier && o.Item_Weight !== ''),
    )!;
    const known = rows.find((o) => o.Item_Identifier === item.Item_Identifier && o.Item_Weight !== '')!;
    const w = featureNames.indexOf('Item_Weight');
    assert.equal(
      transform(fitted, [item]).x[0]![w],
      transform(fitted, [{ ...item, Item_Weight: known.Item_Weight }]).x[0]![w],
    );
    // the seed's request (no identifiers) is served through the unseen buckets and the means
    const served = transform(fitted, [seedRequest]).x[0]!;
    assert.equal(served[featureNames.indexOf('Outlet_Identifier_(unseen)')], 1);
    assert.equal(
      served[featureNames.indexOf('Item_MRP*Outlet_Type_Supermarket Type2')],
      served[featureNames.indexOf('Item_MRP')],
    );
  });

  it('offers the signal features on the seed rows too', () => {
    const spec = bigmartSpec('seed', 'signal');
    assert.equal(filterRows(spec, combined).rows.length, 4650);
    assert.deepEqual(spec.features, BIGMART_SPEC.features);
  });

  it('gives the search both feature sets, each the fixed spec of those rows and features', () => {
    assert.deepEqual(BIGMART_SPEC, bigmartSearchSpec('all'));
    for (const rows of ['seed', 'all'] as const) {
      const spec = bigmartSearchSpec(rows);
      assert.deepEqual(Object.keys(spec.featureSets ?? {}), ['seed', 'signal']);
      for (const features of ['seed', 'signal'] as const)
        assert.deepEqual(withFeatureSet(spec, features), bigmartSpec(rows, features));
    }
    const broken = {
      ...BIGMART_SPEC,
      featureSets: { ...BIGMART_SPEC.featureSets, bad: [{ column: 'Item_Typo', encode: 'onehot' as const }] },
    };
    assert.throws(() => validateSpec(broken), {
      message: /^spec bigmart-all-rows: feature set bad: onehot needs a category column Item_Typo/,
    });
  });
});
