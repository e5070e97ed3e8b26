import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customerFeatures, featureMatrix, type Purchase } from '../../ml/segmentation/features.ts';
import { fitScaler, transform, type Scaler } from '../../ml/segmentation/scaler.ts';

// Expected values were printed by the seed's create_rfmt_features (pandas 3.1.1) and
// StandardScaler (scikit-learn 1.9.1) on the same purchases; pasted here as fixed numbers.
const at = (s: string) => Date.parse(`${s.replace(' ', 'T')}:00Z`);
const p = (customerId: string, invoiceNo: string, date: string, quantity: number, unitPrice: number): Purchase => ({
  customerId,
  invoiceNo,
  invoiceDate: at(date),
  quantity,
  unitPrice,
});
const purchases: Purchase[] = [
  p('A', '1', '2011-01-03 09:00', 2, 3.5),
  p('A', '1', '2011-01-03 09:00', 1, 10.0),
  p('A', '7', '2011-03-15 23:30', 4, 1.25),
  p('A', '9', '2011-06-30 18:00', 10, 0.85),
  p('B', '2', '2011-02-01 10:00', 1, 0.1),
  ...Array.from({ length: 9 }, () => p('B', '3', '2011-02-02 08:00', 1, 0.1)),
  p('C', '4', '2011-06-30 08:00', 24, 1.65),
  p('D', '5', '2011-05-31 23:59', 3, 2.95),
  p('D', '6', '2011-06-01 00:01', 3, 2.95),
  p('E', '8', '2010-12-01 08:26', 6, 2.55),
  p('E', '10', '2011-06-29 20:00', 12, 0.42),
  p('E', '11', '2011-06-30 07:59', 1, 4.95),
];
const columns = ['customerId', 'recency', 'frequency', 'monetary', 'tenure', 'interpurchaseTime'] as const;
const asRows = (features: ReturnType<typeof customerFeatures>) => features.map((f) => columns.map((c) => f[c]));

describe('customerFeatures (the seed RFMT)', () => {
  it('matches pandas with the latest invoice date as the snapshot', () => {
    assert.deepEqual(asRows(customerFeatures(purchases)), [
      ['A', 0, 3, 30.5, 178, 59.333333333333336],
      ['B', 148, 2, 1.0, 0, 0.0],
      ['C', 0, 1, 39.599999999999994, 0, 0.0],
      ['D', 29, 2, 17.700000000000003, 0, 0.0],
      ['E', 0, 3, 25.29, 210, 70.0],
    ]);
  });

  it('counts whole days rounded down, negative when the snapshot is before the last purchase', () => {
    const rows = asRows(customerFeatures(purchases, at('2011-06-30 08:00')));
    assert.deepEqual(
      rows.map((r) => r[1]),
      [-1, 148, 0, 29, 0],
    );
  });

  it('sums monetary with compensation as pandas does (ten times 0.1 is 1)', () => {
    assert.equal(customerFeatures(purchases).find((f) => f.customerId === 'B')!.monetary, 1);
  });

  it("gives the seed README's /predict example: recency 1, frequency 3, tenure 2", () => {
    const [f] = customerFeatures(
      [
        p('12347', '536365', '2011-12-08 00:00', 6, 2.55),
        p('12347', '536366', '2011-12-09 00:00', 3, 3.39),
        p('12347', '536367', '2011-12-10 00:00', 9, 4.99),
      ],
      at('2011-12-11 00:00'),
    );
    assert.deepEqual(f, {
      customerId: '12347',
      recency: 1,
      frequency: 3,
      monetary: 6 * 2.55 + 3 * 3.39 + 9 * 4.99,
      tenure: 2,
      interpurchaseTime: 2 / 3,
    });
  });

  it('refuses no purchases and names a field that is not a number', () => {
    assert.throws(() => customerFeatures([]), /no purchases/);
    assert.throws(
      () => customerFeatures([{ ...purchases[0]!, quantity: Number.NaN }]),
      /purchase 0 \(customer A\): quantity is NaN, not a number/,
    );
  });
});

describe('fitScaler / transform (StandardScaler)', () => {
  const close = (actual: number[][], expected: number[][]) =>
    actual.forEach((row, i) =>
      row.forEach((v, j) =>
        assert.ok(Math.abs(v - expected[i]![j]!) < 1e-12, `[${i}][${j}] ${v} vs ${expected[i]![j]}`),
      ),
    );

  it('fits mean and population std as scikit-learn does on the seed four features', () => {
    const x = featureMatrix(customerFeatures(purchases));
    const scaler = fitScaler(x);
    close(
      [scaler.mean, scaler.scale],
      [
        [35.4, 2.2, 22.818, 25.866666666666667],
        [57.4094068946893, 0.7483314773547882, 13.030567754322908, 31.859134395718357],
      ],
    );
    close(transform(scaler, x), [
      [-0.6166236844240016, 1.0690449676496974, 0.5895368601610996, 1.050457499911371],
      [1.9613510414164572, -0.2672612419124246, -1.6743706345996974, -0.8119073903697448],
      [-0.6166236844240016, -1.6035674514745466, 1.2878947653245993, -0.8119073903697448],
      [-0.11147998814445226, -0.2672612419124246, -0.3927687646842629, -0.8119073903697448],
      [-0.6166236844240016, 1.0690449676496974, 0.1897077737982605, 1.3852646711978636],
    ]);
  });

  it('survives a JSON round trip and scales a column constant up to rounding by 1', () => {
    // 0.1 three times has mean 0.10000000000000002: a variance of rounding noise, not of data
    const scaler = JSON.parse(
      JSON.stringify(
        fitScaler([
          [0.1, 5],
          [0.1, 7],
          [0.1, 9],
        ]),
      ),
    ) as Scaler;
    assert.deepEqual(scaler.scale, [1, 1.632993161855452]);
    close(transform(scaler, [[0.1, 7]]), [[0, 0]]);
  });

  it('names a bad value and a row of the wrong width', () => {
    assert.throws(() => fitScaler([[1], [Number.POSITIVE_INFINITY]]), /row 1 column 0 is Infinity, not a number/);
    assert.throws(() => fitScaler([]), /no rows/);
    assert.throws(() => transform({ mean: [0, 0], scale: [1, 1] }, [[1]]), /row 0 has 1 values, the scaler 2/);
  });
});
