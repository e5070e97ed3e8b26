import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binOf, quantileEdges } from '../../ml/tabular/encode.ts';
import { median, mode } from '../../ml/tabular/impute.ts';
import { fitPreprocessing, transform } from '../../ml/tabular/preprocess.ts';
import { filterRows, targets } from '../../ml/tabular/rows.ts';
import { validateSpec, type DatasetSpec } from '../../ml/tabular/spec.ts';
import { TabularInputError } from '../../ml/tabular/values.ts';

const spec: DatasetSpec = {
  name: 'toy',
  task: 'regression',
  target: { column: 'y' },
  columns: [
    { name: 'id', type: 'id' },
    { name: 'w', type: 'number' },
    { name: 'fat', type: 'category', clean: { LF: 'Low Fat', reg: 'Regular' } },
    { name: 'size', type: 'category' },
    { name: 'price', type: 'number' },
    { name: 'type', type: 'category' },
    { name: 'year', type: 'number', missing: [-200] },
  ],
  filters: [{ kind: 'dropDuplicates' }, { kind: 'dropna', columns: ['y'] }],
  impute: {
    w: { strategy: 'groupMean', by: 'id', fallback: 'mean' },
    size: { strategy: 'constant', value: 'Unknown' },
    year: { strategy: 'median' },
  },
  derive: [{ name: 'age', kind: 'age', from: 'year', reference: 2013 }],
  features: [
    { column: 'w', encode: 'number', scale: 'standardize' },
    { column: 'price', encode: 'quantileBins', bins: 2, output: 'ordinal' },
    { column: 'size', encode: 'ordinal', map: { Small: 0, Medium: 1, Unknown: -1 }, unseen: -1 },
    { column: 'type', encode: 'onehot' },
    { column: 'price', encode: 'interaction', by: 'type' },
    { column: 'fat', encode: 'onehot' },
    { column: 'age', encode: 'number' },
  ],
};

// CSV-like rows: every field a string, blanks as ''.
const train = [
  { id: 'A', w: '10', fat: 'LF', size: 'Small', price: '10', type: 'T1', year: '1999', y: '1' },
  { id: 'A', w: '', fat: 'Low Fat', size: '', price: '20', type: 'T2', year: '-200', y: '2' },
  { id: 'B', w: '20', fat: 'Regular', size: 'Medium', price: '30', type: 'T1', year: '2009', y: '3' },
  { id: 'C', w: '', fat: 'reg', size: 'Small', price: '40', type: 'T2', year: '1985', y: '4' },
];

describe('fitPreprocessing and transform', () => {
  const fitted = fitPreprocessing(spec, train);
  // weights after imputation: A's mean 10 for row 2, the overall mean 15 for C (no weight of its own)
  const std = Math.sqrt(((10 - 13.75) ** 2 * 2 + (20 - 13.75) ** 2 + (15 - 13.75) ** 2) / 4);
  const z = (w: number) => (w - 13.75) / std;

  it('encodes hand-computed rows: group-mean imputation, qcut bins, ordinals, one-hot, interaction, cleaning', () => {
    const { x, featureNames } = transform(fitted, train);
    assert.deepEqual(featureNames, [
      'w',
      'price',
      'size',
      'type_T1',
      'type_T2',
      'type_(unseen)',
      'price*type_T1',
      'price*type_T2',
      'price*type_(unseen)',
      'fat_Low Fat',
      'fat_Regular',
      'fat_(unseen)',
      'age',
    ]);
    // year median of 1999, 2009, 1985 (the -200 is missing) = 1999 -> age 14
    assert.deepEqual(x, [
      [z(10), 1, 0, 1, 0, 0, 10, 0, 0, 1, 0, 0, 14],
      [z(10), 1, -1, 0, 1, 0, 0, 20, 0, 1, 0, 0, 14],
      [z(20), 2, 1, 1, 0, 0, 30, 0, 0, 0, 1, 0, 4],
      [z(15), 2, 0, 0, 1, 0, 0, 40, 0, 0, 1, 0, 28],
    ]);
    assert.deepEqual(fitted.features[1], {
      encode: 'quantileBins',
      column: 'price',
      edges: [10, 25, 40],
      output: 'ordinal',
    });
  });

  it('serving one JSON row gives the numbers training gave, from a stored (JSON round-tripped) fit', () => {
    const stored = JSON.parse(JSON.stringify(fitted)) as typeof fitted;
    const all = transform(fitted, train).x;
    train.forEach((row, i) => assert.deepEqual(transform(stored, [row]).x[0], all[i]));
    // numbers as JSON numbers and null for blanks read the same as CSV strings
    const json = { id: 'A', w: null, fat: 'Low Fat', size: null, price: 20, type: 'T2', year: -200 };
    assert.deepEqual(transform(stored, [json]).x[0], all[1]);
  });

  it('learns from the training rows only', () => {
    const test = { id: 'D', w: '100', fat: 'LF', size: 'Small', price: '1000', type: 'T1', year: '2000', y: '9' };
    const withTest = fitPreprocessing(spec, [...train, test]);
    assert.notDeepEqual(withTest.features[0], fitted.features[0]);
    const row = transform(fitted, [test]).x[0]!;
    assert.equal(row[0], z(100));
    assert.equal(row[1], 2); // beyond the training range: the last bin
    assert.deepEqual(transform(fitted, [{ ...test, price: '25' }]).x[0]![1], 1); // right-closed
    assert.deepEqual(transform(fitted, [{ ...test, price: '5' }]).x[0]![1], 1);
  });

  it('puts unseen categories in the unseen bucket, and unseen groups on the fallback', () => {
    const row = { id: 'Z', w: '', fat: 'Full Fat', size: 'Huge', price: '30', type: 'T9', year: '2013' };
    assert.deepEqual(transform(fitted, [row]).x[0], [z(15), 2, -1, 0, 0, 1, 0, 0, 30, 0, 0, 1, 0]);
  });

  it('names the column and value it cannot take', () => {
    const bad = (patch: Record<string, unknown>, message: RegExp) => {
      const error = (() => {
        try {
          transform(fitted, [train[0]!, { ...train[0]!, ...patch }]);
        } catch (e) {
          return e;
        }
        throw new Error('no error');
      })();
      assert.ok(error instanceof TabularInputError);
      assert.match(error.message, message);
      assert.equal(error.row, 1);
      return error;
    };
    const e = bad({ w: '12,5' }, /^row 1: w is "12,5", not a number$/);
    assert.equal(e.column, 'w');
    assert.equal(e.value, '12,5');
    bad({ price: Number.NaN }, /price is NaN, not a finite number/);
    bad({ price: 'abc' }, /price is "abc", not a number/);
    bad({ price: '' }, /price is missing and the spec has no imputation for it/);
    bad({ type: true }, /type is true, not a category/);
    bad({ year: 'Infinity' }, /year is "Infinity", not a number/);
    assert.throws(() => transform(fitted, [null as never]), /row 0: row is null, not an object of column values/);
    assert.throws(() => transform(fitted, [[1, 2] as never]), /row 0: row is a list, not an object/);
  });

  it('rejects a training column with nothing to learn from', () => {
    assert.throws(
      () =>
        fitPreprocessing(
          spec,
          train.map((r) => ({ ...r, year: '' })),
        ),
      /imputation of year: no training row has a value/,
    );
  });
});

describe('quantile bins as pandas qcut', () => {
  it('matches pd.qcut edges and labels', () => {
    // pd.qcut([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4, retbins=True): edges 1, 3.25, 5.5, 7.75, 10; labels 1 1 1 2 2 3 3 4 4 4
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const edges = quantileEdges(values, 4);
    assert.deepEqual(edges, [1, 3.25, 5.5, 7.75, 10]);
    assert.deepEqual(
      values.map((v) => binOf(edges, v)),
      [1, 1, 1, 2, 2, 3, 3, 4, 4, 4],
    );
  });

  it('drops duplicate edges and keeps a constant column as one bin', () => {
    assert.deepEqual(quantileEdges([0, 0, 0, 0, 1, 2], 4), [0, 0.75, 2]);
    assert.deepEqual(quantileEdges([3, 3, 3], 4), [3, 3]);
    assert.equal(binOf([3, 3], 7), 1);
  });
});

describe('row filters and targets', () => {
  it('drops exact duplicates then rows missing the target, counting each', () => {
    const rows = [train[0]!, train[0]!, { ...train[1]!, y: '' }, train[2]!];
    const out = filterRows(spec, rows);
    assert.deepEqual(out.rows, [train[0], train[2]]);
    assert.deepEqual(out.steps, [
      { kind: 'dropDuplicates', dropped: 1 },
      { kind: 'dropna', dropped: 1 },
    ]);
  });

  it('dropna without columns drops a row with any blank (missing markers included), as the seed', () => {
    const onlyMarker = { ...train[0]!, year: '-200' };
    const out = filterRows({ ...spec, filters: [{ kind: 'dropna' }] }, [...train, onlyMarker]);
    assert.deepEqual(out.rows, [train[0], train[2]]);
    assert.deepEqual(out.steps, [{ kind: 'dropna', dropped: 3 }]);
  });

  it('reads regression and binary targets and names a bad one', () => {
    assert.deepEqual(targets(spec, train), [1, 2, 3, 4]);
    const binary: DatasetSpec = { ...spec, task: 'binary', target: { column: 'y', labels: ['no', 'yes'] } };
    assert.deepEqual(targets(binary, [{ y: 'yes' }, { y: 'no' }]), [1, 0]);
    assert.throws(() => targets(binary, [{ y: 'yes' }, { y: 'maybe' }]), /row 1: y is "maybe", not no or yes/);
    const zeroOne: DatasetSpec = { ...spec, task: 'binary' };
    assert.deepEqual(targets(zeroOne, [{ y: '1' }, { y: 0 }, { y: false }]), [1, 0, 0]);
    assert.throws(() => targets(zeroOne, [{ y: 2 }]), /row 0: y is 2, not 0 or 1/);
    assert.throws(() => targets(spec, [{ y: '' }]), /row 0: y is missing \(the target\)/);
  });
});

describe('validateSpec', () => {
  it('names what a spec gets wrong', () => {
    const withFeature = (f: DatasetSpec['features'][number]) => ({ ...spec, features: [f] });
    assert.throws(
      () => validateSpec(withFeature({ column: 'fat', encode: 'number' })),
      /number needs a number column fat, got category/,
    );
    assert.throws(
      () => validateSpec(withFeature({ column: 'nope', encode: 'onehot' })),
      /onehot needs a category column nope, got none/,
    );
    assert.throws(
      () => validateSpec(withFeature({ column: 'price', encode: 'interaction', by: 'w' })),
      /interaction needs a category column w, got number/,
    );
    assert.throws(
      () => validateSpec(withFeature({ column: 'price', encode: 'quantileBins', bins: 1, output: 'ordinal' })),
      /bins >= 2/,
    );
    assert.throws(
      () => validateSpec({ ...spec, impute: { fat: { strategy: 'mean' } } }),
      /mean imputation needs a number column fat/,
    );
    assert.throws(
      () => validateSpec({ ...spec, impute: { w: { strategy: 'constant', value: 'x' } } }),
      /constant for w must be a number/,
    );
    assert.throws(
      () => validateSpec({ ...spec, filters: [{ kind: 'dropna', columns: ['age'] }] }),
      /dropna names age, not a raw column or the target/,
    );
    assert.throws(
      () => validateSpec(withFeature({ column: 'size', encode: 'ordinal', map: { Small: Number.NaN }, unseen: -1 })),
      /ordinal map of size must map to finite numbers/,
    );
    assert.throws(
      () => validateSpec({ ...spec, columns: [...spec.columns, { name: 'y', type: 'number' }] }),
      /the target y is also an input column/,
    );
  });
});

describe('imputation statistics and derived columns', () => {
  it('mode takes the most frequent value, ties to the smallest as pandas; median of an even count averages', () => {
    assert.equal(mode(['b', 'a', 'b', 'a', 'c']), 'a');
    assert.equal(mode([3, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([5, 1, 3]), 3);
  });

  it('fills mode and constant, derives prefix and product, and encodes one-hot bins and standardized interactions', () => {
    const s: DatasetSpec = {
      name: 'derived',
      task: 'binary',
      target: { column: 'y' },
      columns: [
        { name: 'code', type: 'id' },
        { name: 'colour', type: 'category' },
        { name: 'a', type: 'number' },
        { name: 'b', type: 'number' },
      ],
      impute: { colour: { strategy: 'mode' }, b: { strategy: 'constant', value: 2 } },
      derive: [
        { name: 'kind', kind: 'prefix', from: 'code', length: 2 },
        { name: 'ab', kind: 'product', of: ['a', 'b'] },
      ],
      features: [
        { column: 'kind', encode: 'onehot' },
        { column: 'ab', encode: 'number' },
        { column: 'a', encode: 'quantileBins', bins: 2, output: 'onehot' },
        { column: 'a', encode: 'interaction', by: 'colour', scale: 'standardize' },
      ],
    };
    const rows = [
      { code: 'FD1', colour: 'red', a: 1, b: 3 },
      { code: 'DR2', colour: 'red', a: 3, b: null },
      { code: 'FD3', colour: '', a: 5, b: 1 },
    ];
    const fitted = fitPreprocessing(s, rows);
    const { x, featureNames } = transform(fitted, rows);
    assert.deepEqual(featureNames, [
      'kind_DR',
      'kind_FD',
      'kind_(unseen)',
      'ab',
      'a_bin1',
      'a_bin2',
      'a*colour_red',
      'a*colour_(unseen)',
    ]);
    // a: mean 3, population std sqrt(8 / 3); edges 1, 3, 5; colour's mode is red
    const z = (a: number) => (a - 3) / Math.sqrt(8 / 3);
    assert.deepEqual(x, [
      [0, 1, 0, 3, 1, 0, z(1), 0],
      [1, 0, 0, 6, 1, 0, z(3), 0],
      [0, 1, 0, 5, 0, 1, z(5), 0],
    ]);
  });
});
