// What a served tabular model takes as an instance (ml/tabular/instances.ts), and the BigMart seed's
// /predict/ body read into a raw row (api/tabularSchemas.ts): pure checks, no stack.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seedRequestKind } from '../../api/routes/seedPredict.ts';
import { BigMartSeedRequest } from '../../api/tabularSchemas.ts';
import { checkInstance, instanceInputs } from '../../ml/tabular/instances.ts';
import { fitPreprocessing } from '../../ml/tabular/preprocess.ts';
import { BIGMART_SEED_SPEC, BIGMART_SPEC } from '../../ml/tabular/presets/bigmart.ts';
import type { DatasetSpec } from '../../ml/tabular/spec.ts';
import { TabularInputError } from '../../ml/tabular/values.ts';

const spec: DatasetSpec = {
  name: 'shop',
  task: 'regression',
  target: { column: 'sales' },
  columns: [
    { name: 'item', type: 'id' },
    { name: 'weight', type: 'number' },
    { name: 'price', type: 'number' },
    { name: 'fat', type: 'category', clean: { LF: 'Low Fat' } },
    { name: 'size', type: 'category' },
    { name: 'note', type: 'category' },
  ],
  impute: {
    weight: { strategy: 'groupMean', by: 'item', fallback: 'mean' },
    size: { strategy: 'constant', value: 'Unknown' },
  },
  features: [
    { column: 'weight', encode: 'number' },
    { column: 'price', encode: 'number', scale: 'standardize' },
    { column: 'fat', encode: 'onehot' },
    { column: 'size', encode: 'ordinal', map: { Small: 0, Large: 1 }, unseen: -1 },
  ],
};
const rows = [
  { item: 'A', weight: 1, price: 10, fat: 'Low Fat', size: 'Small', sales: 5 },
  { item: 'B', weight: 2, price: 20, fat: 'Regular', size: '', sales: 7 },
  { item: 'C', weight: '', price: 30, fat: 'LF', size: 'Large', sales: 9 },
];
const fitted = fitPreprocessing(spec, rows);
const inputs = instanceInputs(fitted);
const ok = { item: 'Z', weight: 1.5, price: 12, fat: 'Regular', size: 'Large' };

/** The error checkInstance throws for this instance: [column, reason]. */
function problem(instance: unknown): [string, string] {
  try {
    checkInstance(fitted, inputs, instance, 4);
  } catch (err) {
    assert.ok(err instanceof TabularInputError);
    assert.equal(err.row, 4);
    return [err.column, err.reason];
  }
  assert.fail(`accepted ${JSON.stringify(instance)}`);
}

describe('a served tabular instance', () => {
  it('needs the columns the features read and the groups of group imputations; knows the trained categories', () => {
    assert.deepEqual(inputs, {
      required: ['item', 'weight', 'price', 'fat', 'size'],
      columns: ['item', 'weight', 'price', 'fat', 'size', 'note'],
      imputed: ['weight', 'size'],
      // the imputed "Unknown" of a blank size is no category the ordinal map knows
      categories: { fat: ['Low Fat', 'Regular'], size: ['Large', 'Small'] },
    });
  });

  it('takes a full instance, nulls where the model imputes, cleaned spellings, numbers as text, and unused columns', () => {
    for (const instance of [
      ok,
      { ...ok, weight: null, size: null },
      { ...ok, fat: 'LF', price: '12.5' },
      { ...ok, note: 'anything', item: 'never seen' },
    ])
      assert.doesNotThrow(() => checkInstance(fitted, inputs, instance, 0), JSON.stringify(instance));
  });

  it('names the column of whatever it cannot take', () => {
    const without = (column: string) => Object.fromEntries(Object.entries(ok).filter(([c]) => c !== column));
    assert.deepEqual(problem(without('price')), ['price', 'is required']);
    assert.deepEqual(problem(without('weight')), [
      'weight',
      'is required (null for an unknown value: the model fills it in)',
    ]);
    assert.deepEqual(problem({ ...ok, price: null }), ['price', 'is null; the model cannot fill it in: send a value']);
    assert.deepEqual(problem({ ...ok, price: 'ten' }), ['price', 'is "ten", not a number']);
    assert.deepEqual(problem({ ...ok, price: 'NaN' }), ['price', 'is "NaN", not a number']);
    assert.deepEqual(problem({ ...ok, price: true }), ['price', 'is true, not a number']);
    assert.deepEqual(problem({ ...ok, fat: 'Full' }), [
      'fat',
      'is "Full", not a category the model knows: "Low Fat", "Regular"',
    ]);
    assert.deepEqual(problem({ ...ok, size: 'Unknown' }), [
      'size',
      'is "Unknown", not a category the model knows: "Large", "Small"',
    ]);
    assert.deepEqual(problem({ ...ok, colour: 'red' }), [
      'colour',
      'is not an input of this model; its inputs are item, weight, price, fat, size, note',
    ]);
    assert.deepEqual(problem({ ...ok, sales: 3 })[0], 'sales');
    assert.deepEqual(problem([ok]), ['', 'must be an object of column values']);
    assert.deepEqual(problem(null), ['', 'must be an object of column values']);
  });

  it("requires of a BigMart model only what its spec reads: the seed spec's features, all columns for the full one", () => {
    const train = [
      {
        Item_Identifier: 'FDA15',
        Item_Weight: 9.3,
        Item_Fat_Content: 'Low Fat',
        Item_Visibility: 0.02,
        Item_Type: 'Dairy',
        Item_MRP: 249.8,
        Outlet_Identifier: 'OUT049',
        Outlet_Establishment_Year: 1999,
        Outlet_Size: 'Medium',
        Outlet_Location_Type: 'Tier 1',
        Outlet_Type: 'Supermarket Type1',
        Item_Outlet_Sales: 3735,
      },
      {
        Item_Identifier: 'DRC01',
        Item_Weight: 5.9,
        Item_Fat_Content: 'Regular',
        Item_Visibility: 0.02,
        Item_Type: 'Soft Drinks',
        Item_MRP: 48.3,
        Outlet_Identifier: 'OUT018',
        Outlet_Establishment_Year: 2009,
        Outlet_Size: 'Medium',
        Outlet_Location_Type: 'Tier 3',
        Outlet_Type: 'Supermarket Type2',
        Item_Outlet_Sales: 443,
      },
    ];
    assert.deepEqual(instanceInputs(fitPreprocessing(BIGMART_SEED_SPEC, train)).required, [
      'Item_Weight',
      'Item_Visibility',
      'Item_MRP',
      'Outlet_Establishment_Year',
      'Outlet_Size',
      'Outlet_Location_Type',
      'Outlet_Type',
    ]);
    const full = instanceInputs(fitPreprocessing(BIGMART_SPEC, train));
    assert.equal(full.required.length, 11);
    assert.deepEqual(full.categories.Outlet_Type, ['Supermarket Type1', 'Supermarket Type2']);
    assert.ok(full.imputed.includes('Item_Identifier') && !full.imputed.includes('Item_MRP'));
  });
});

describe("the BigMart seed's /predict/ body", () => {
  const features = {
    Item_Weight: 9.3,
    Item_Visibility: 0.016047,
    Item_MRP: 249.8092,
    Outlet_Establishment_Year: 1999,
    Outlet_Size: 1,
    Outlet_Location_Type: 0,
    Outlet_Type: 'Supermarket Type2',
  };

  it("maps the seed's integer codes back to labels and leaves the columns it does not send unknown", () => {
    assert.deepEqual(BigMartSeedRequest.parse({ features }), {
      Item_Identifier: null,
      Item_Weight: 9.3,
      Item_Fat_Content: null,
      Item_Visibility: 0.016047,
      Item_Type: null,
      Item_MRP: 249.8092,
      Outlet_Identifier: null,
      Outlet_Establishment_Year: 1999,
      Outlet_Size: 'Medium',
      Outlet_Location_Type: 'Tier 3',
      Outlet_Type: 'Supermarket Type2',
    });
    const codes: [number, string, string][] = [
      [2, 'High', 'Tier 1'],
      [1, 'Medium', 'Tier 2'],
      [0, 'Small', 'Tier 3'],
      [-1, 'Unknown', 'Unknown'],
    ];
    for (const [code, size, tier] of codes) {
      const row = BigMartSeedRequest.parse({
        features: { ...features, Outlet_Size: code, Outlet_Location_Type: code },
      });
      assert.deepEqual([row.Outlet_Size, row.Outlet_Location_Type], [size, tier]);
    }
    const labels = BigMartSeedRequest.parse({
      features: { ...features, Outlet_Size: 'High', Outlet_Location_Type: 'Tier 2' },
    });
    assert.deepEqual([labels.Outlet_Size, labels.Outlet_Location_Type], ['High', 'Tier 2']);
    const optional = BigMartSeedRequest.parse({ features: { ...features, Item_Weight: undefined, Outlet_Size: null } });
    assert.deepEqual([optional.Item_Weight, optional.Outlet_Size], [null, null]);
  });

  it('tells the seeds apart by the body', () => {
    assert.equal(seedRequestKind({ features }), 'bigmart');
    assert.equal(seedRequestKind({ latest_date: '2011-12-11', transactions: [] }), 'segment');
    assert.equal(seedRequestKind({ transactions: [] }), 'segment');
    for (const neither of [{}, [], null, 'features', { feature: {} }])
      assert.equal(seedRequestKind(neither), undefined);
  });
});
