import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { generateStores, storeCsv } from '../../scripts/data/generator.ts';
import { parseStoreRecord } from '../../platform/storeRows.ts';

const OPTIONAL = [
  'CompetitionDistance',
  'CompetitionOpenSinceMonth',
  'CompetitionOpenSinceYear',
  'Promo2SinceWeek',
  'Promo2SinceYear',
  'PromoInterval',
];
const records = parse<Record<string, string>>(
  storeCsv(generateStores({ seed: 3, stores: 200, from: '2015-01-01', to: '2015-01-31', products: 0 })),
  { columns: true },
);
const good = {
  Store: '1',
  StoreType: 'c',
  Assortment: 'a',
  CompetitionDistance: '1270',
  CompetitionOpenSinceMonth: '9',
  CompetitionOpenSinceYear: '2008',
  Promo2: '0',
  Promo2SinceWeek: '',
  Promo2SinceYear: '',
  PromoInterval: '',
};

describe('store.csv records', () => {
  it('the generated file has blanks to spell', () => {
    assert.ok(records.some((r) => r.CompetitionDistance === '') && records.some((r) => r.PromoInterval === ''));
  });

  for (const spelling of ['NULL', 'null', 'NA', 'N/A', '<NA>', 'NaN', 'nan', 'None', '\\N', ' ']) {
    it(`reads ${JSON.stringify(spelling)} as a missing value wherever the column allows one, as a blank is read`, () => {
      for (const r of records) {
        const spelled = Object.fromEntries(
          Object.entries(r).map(([k, v]) => [k, v === '' && OPTIONAL.includes(k) ? spelling : v]),
        );
        const expected = parseStoreRecord(r);
        assert.ok(expected.ok, JSON.stringify(expected));
        assert.deepEqual(parseStoreRecord(spelled), expected, JSON.stringify(spelled));
      }
    });
  }

  it('reads whole numbers as pandas writes them in a column with gaps (1270.0)', () => {
    const r = parseStoreRecord({
      ...good,
      CompetitionDistance: '1270.0',
      CompetitionOpenSinceMonth: '9.0',
      CompetitionOpenSinceYear: '2008.0',
    });
    assert.deepEqual(r, { ok: true, values: [1, 'c', 'a', 1270, 9, 2008, false, null, null, null] });
  });

  it('rejects a missing value where the column needs one, naming the column and the value', () => {
    assert.deepEqual(parseStoreRecord({ ...good, Store: 'NULL' }), {
      ok: false,
      reason: 'Store: a value is required, got "NULL"',
    });
    assert.deepEqual(parseStoreRecord({ ...good, StoreType: '' }), {
      ok: false,
      reason: 'StoreType: a value is required, got ""',
      storeId: 1,
    });
    assert.deepEqual(parseStoreRecord({ ...good, Promo2: 'NA' }), {
      ok: false,
      reason: 'Promo2: a value is required, got "NA"',
      storeId: 1,
    });
  });

  it('names the column and quotes the value of every bad value', () => {
    const cases: [Record<string, string>, string][] = [
      [{ CompetitionDistance: 'abc' }, 'CompetitionDistance: "abc" is not a whole number'],
      [{ CompetitionDistance: '-5' }, 'CompetitionDistance: "-5" is not a whole number'],
      [{ CompetitionDistance: '12.5' }, 'CompetitionDistance: "12.5" is not a whole number'],
      [
        { CompetitionDistance: '2147483648' },
        'CompetitionDistance: "2147483648" is out of range (metres from 0 to 2147483647)',
      ],
      [{ CompetitionOpenSinceMonth: '13' }, 'CompetitionOpenSinceMonth: "13" is out of range (a month from 1 to 12)'],
      [{ Promo2SinceYear: '20100' }, 'Promo2SinceYear: "20100" is out of range (a year from 1900 to 2100)'],
      [{ Promo2SinceWeek: '0' }, 'Promo2SinceWeek: "0" is out of range (a week from 1 to 53)'],
      [{ StoreType: 'x' }, 'StoreType: "x" must be a, b, c or d'],
      [{ Assortment: 'd' }, 'Assortment: "d" must be a, b or c'],
      [{ Promo2: 'yes' }, 'Promo2: "yes" must be 0 or 1'],
    ];
    for (const [over, reason] of cases)
      assert.deepEqual(parseStoreRecord({ ...good, ...over }), { ok: false, reason, storeId: 1 });
    assert.deepEqual(parseStoreRecord({ ...good, Store: '2147483648' }), {
      ok: false,
      reason: 'Store: "2147483648" is out of range (a store number from 1 to 2147483647)',
    });
  });
});
