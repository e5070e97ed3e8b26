import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanTransactions, iqrBounds, type RetailTransaction } from '../../ml/segmentation/cleaning.ts';
import { quantile } from '../../ml/segmentation/quantile.ts';

// Expected values were printed by pandas 3.1.1 / numpy 2.4.6 (Series.quantile defaults, and the
// seed's clean_data run step by step on the same rows); pasted here as fixed numbers.
describe('quantile (pandas linear interpolation)', () => {
  const qs = [0, 0.25, 0.5, 0.75, 1, 0.1, 0.9];
  const cases: [number[], number[]][] = [
    [
      [1, 2, 3, 4],
      [1, 1.75, 2.5, 3.25, 4, 1.3, 3.7],
    ],
    [
      [0.1, 0.7, 0.2, 5.5, 3.3, 1e-3, 2.2],
      [0.001, 0.15000000000000002, 0.7, 2.75, 5.5, 0.06040000000000001, 4.180000000000001],
    ],
    [[7], [7, 7, 7, 7, 7, 7, 7]],
    [
      [1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89],
      [1, 2.5, 8, 27.5, 89, 1, 55],
    ],
    [
      [0.1 + 0.2, 0.3, 1 / 3, 2 / 3, 0.7, 1.1, 9.9, 12.75, 0.05, 3.4],
      [0.05, 0.30833333333333335, 0.6833333333333333, 2.825, 12.75, 0.275, 10.184999999999999],
    ],
  ];
  for (const [values, expected] of cases) {
    it(`matches pandas bit for bit on [${values.join(', ')}]`, () => {
      assert.deepEqual(
        qs.map((q) => quantile(values, q)),
        expected,
      );
    });
  }

  it('refuses no values and a q outside [0, 1]', () => {
    assert.throws(() => quantile([], 0.5), /no values/);
    assert.throws(() => quantile([1], 1.5), /q must be in \[0, 1\], got 1.5/);
  });
});

// invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, country
type Row = [string, string, string, number, string, number, string | null, string];
const rows: Row[] = [
  ['536365', '85123A', 'WHITE HANGING HEART', 6, '2010-12-01 08:26', 2.55, '17850', 'United Kingdom'],
  ['536365', '71053', 'WHITE METAL LANTERN', 6, '2010-12-01 08:26', 3.39, '17850', 'United Kingdom'],
  ['536365', '71053', 'WHITE METAL LANTERN', 6, '2010-12-01 08:26', 3.39, '17850', 'United Kingdom'],
  ['536366', '22633', 'HAND WARMER', 6, '2010-12-01 08:28', 1.85, '17850', 'United Kingdom'],
  ['536367', '84879', 'BIRD ORNAMENT', 32, '2010-12-01 08:34', 1.69, '13047', 'United Kingdom'],
  ['536367', '22745', 'POPPY HOUSE', 6, '2010-12-01 08:34', 2.1, '13047', 'United Kingdom'],
  ['536368', '22960', 'JAM MAKING SET', 6, '2010-12-01 08:34', 4.25, '13047', 'United Kingdom'],
  ['536369', '21756', 'BATH BUILDING BLOCK', 3, '2010-12-01 08:35', 5.95, '13047', 'United Kingdom'],
  ['C536379', 'D', 'Discount', -1, '2010-12-01 09:41', 27.5, '14527', 'United Kingdom'],
  ['536380', '22961', 'JAM MAKING SET', 24, '2010-12-01 09:41', 1.45, '17809', 'United Kingdom'],
  ['536381', '22139', 'RETROSPOT TEA SET', 0, '2010-12-01 09:41', 4.95, '15311', 'United Kingdom'],
  ['536382', '10002', 'INFLATABLE GLOBE', 12, '2010-12-01 09:45', 0.85, '16098', 'United Kingdom'],
  ['536383', '35004C', 'SET OF 3 COLOURED', -3, '2010-12-01 09:49', 4.65, '15311', 'United Kingdom'],
  ['536384', '82484', 'WOOD PHOTO FRAME', 4, '2010-12-01 09:53', 6.45, '18074', 'United Kingdom'],
  ['536385', '22783', 'SET 3 WICKER', 2, '2010-12-01 09:56', 19.95, '17420', 'United Kingdom'],
  ['536386', '85099C', 'JUMBO BAG', 100, '2010-12-01 09:57', 1.65, '16029', 'United Kingdom'],
  ['536387', '79321', 'CHILLI LIGHTS', 192, '2010-12-01 09:58', 3.82, '16029', 'United Kingdom'],
  ['536388', '21754', 'HOME BUILDING BLOCK', 6, '2010-12-01 09:59', 5.95, '16250', 'United Kingdom'],
  ['536389', '22941', 'CHRISTMAS LIGHTS', 6, '2010-12-01 10:03', 8.5, '12431', 'Australia'],
  ['536390', '22941', 'CHRISTMAS LIGHTS', 6, '2010-12-01 10:03', 8.5, '12431', 'Australia'],
  ['536391', '21217', 'RED RETROSPOT', 4, '2010-12-01 10:07', 0.0, '17841', 'United Kingdom'],
  ['536392', '22150', '3 STRIPEY MICE', 12, '2010-12-01 10:07', 1.65, null, 'United Kingdom'],
  ['536393', 'M', 'Manual', 1, '2010-12-01 10:37', 295.0, '12791', 'Netherlands'],
  ['536394', '21523', 'DOORMAT', 10, '2010-12-01 10:39', 6.75, '13408', 'United Kingdom'],
  ['536395', '22086', 'PAPER CHAIN KIT', 12, '2010-12-01 10:47', 2.55, '13767', 'United Kingdom'],
  ['536396', '22086', 'PAPER CHAIN KIT', 12, '2010-12-01 10:47', 2.55, '13767', 'United Kingdom'],
  ['536396', '22086', 'PAPER CHAIN KIT', 12, '2010-12-01 10:47', 2.55, '13767', 'United Kingdom'],
  ['536397', '21733', 'RED HANGING HEART', 1, '2010-12-01 10:51', 2.95, '17850', 'United Kingdom'],
  ['536398', '84029E', 'RED WOOLLY HOTTIE', 8, '2010-12-01 11:21', 3.39, '13448', 'United Kingdom'],
  ['536399', '37370', 'RETRO COFFEE MUGS', 48, '2010-12-01 11:33', 1.06, '17850', 'United Kingdom'],
];
const toTransaction = ([invoiceNo, stockCode, description, quantity, date, unitPrice, customerId, country]: Row) => ({
  invoiceNo,
  stockCode,
  description,
  quantity,
  invoiceDate: Date.parse(`${date.replace(' ', 'T')}:00Z`),
  unitPrice,
  customerId,
  country,
});

describe('cleanTransactions (the seed clean_data)', () => {
  const result = cleanTransactions(rows.map(toTransaction));

  it('removes what pandas removes at each step: 30, 29, 28, 26, 25, 23, 18, 16 rows', () => {
    assert.deepEqual(result.counts, {
      read: 30,
      blankCustomer: 1,
      cancelled: 1,
      nonPositiveQuantity: 2,
      nonPositivePrice: 1,
      duplicates: 2,
      quantityOutliers: 5,
      priceOutliers: 2,
      kept: 16,
    });
  });

  it('keeps the rows pandas keeps, in order, with its IQR bounds', () => {
    assert.deepEqual(
      result.rows.map((r) => r.invoiceNo),
      // prettier-ignore
      ['536365', '536365', '536366', '536367', '536368', '536369', '536382', '536384', '536388', '536389', '536390', '536394', '536395', '536396', '536397', '536398'],
    );
    assert.deepEqual(result.quantityBounds, { q1: 6, q3: 12, lower: -3, upper: 21 });
    assert.deepEqual(result.priceBounds, { q1: 2.55, q3: 6.675, lower: -3.6375, upper: 12.8625 });
  });

  it('treats a blank customer id as missing and a "C" anywhere in the invoice number as a cancellation', () => {
    const base: RetailTransaction = toTransaction(rows[0]!);
    const { counts } = cleanTransactions([
      { ...base, customerId: '  ' },
      { ...base, invoiceNo: 'A5C' },
      { ...base, invoiceNo: 'c1' },
    ]);
    assert.equal(counts.blankCustomer, 1);
    assert.equal(counts.cancelled, 1);
    assert.equal(counts.kept, 1);
  });

  it('keeps values on the IQR bounds (inclusive) and drops those just past them', () => {
    assert.deepEqual(iqrBounds([1, 2, 3, 4, 7]), { q1: 2, q3: 4, lower: -1, upper: 7 });
    const base = toTransaction(rows[0]!);
    const keptOf = (quantities: number[]) =>
      cleanTransactions(quantities.map((quantity, i) => ({ ...base, invoiceNo: `${i}`, quantity }))).counts;
    assert.equal(keptOf([1, 2, 3, 4, 7]).quantityOutliers, 0);
    assert.equal(keptOf([1, 2, 3, 4, 7.01]).quantityOutliers, 1);
  });

  it('handles no rows and names a field that is not a number', () => {
    assert.equal(cleanTransactions([]).counts.kept, 0);
    const base = toTransaction(rows[0]!);
    assert.throws(
      () => cleanTransactions([base, { ...base, unitPrice: Number.NaN }]),
      /transaction 1 \(invoice 536365\): unitPrice is NaN, not a number/,
    );
  });
});
