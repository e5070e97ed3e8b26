import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { generateStores, generateTrain, type GeneratorOptions } from '../../scripts/data/generator.ts';
import { trainRowReader, type TrainRowOptions } from '../../platform/trainRows.ts';

// The fast path must agree with the reference path (the API's zod schema) on every record: the same
// row when it accepts, the same reason when it does not.
const opts: GeneratorOptions = { seed: 11, stores: 20, from: '2015-01-01', to: '2015-03-31', products: 3 };
function generatedLines(): string[] {
  let text = '';
  generateTrain(opts, generateStores(opts), (chunk) => {
    text += chunk;
  });
  return text.trimEnd().split('\n');
}

// Values a field may be spoiled with: wrong types, out of range, quoted, blank, the edges of valid.
const SPOILERS = [
  '',
  ' ',
  '-1',
  '0',
  '1',
  '2',
  '007',
  '1.5',
  '1e3',
  'abc',
  '"0"',
  '"1"',
  '"a"',
  'a',
  'b',
  'c',
  'd',
  '10000000',
  '10000001',
  '99999999',
  '123456789',
  '2015-02-29',
  '2015-02-28',
  '2016-02-29',
  '2015-13-01',
  '"2015-01-05"',
  'all',
  'p01',
  'bad product!',
  'x'.repeat(65),
  '7',
  '8',
  'NULL',
  'NA',
  'NaN',
  '1e308',
  '2147483648',
  '0001-01-01',
  '0000-00-00',
  '9999-12-31',
];

describe('train.csv rows: fast path against the reference path', () => {
  const [header, ...records] = generatedLines().map((l) => l.split(','));
  const ctx: TrainRowOptions = {
    knownStores: new Set(Array.from({ length: 15 }, (_, i) => i + 1)),
    latestDate: '2015-03-20',
  };

  function assertSame(options: TrainRowOptions, lines: string[][]) {
    const fast = trainRowReader(header!, 'train.csv', options);
    const reference = trainRowReader(header!, 'train.csv', options, { fastPath: false });
    let rows = 0;
    for (const fields of lines) {
      const expected = reference(fields);
      assert.deepEqual(fast(fields), expected, `record ${fields.join(',')}`);
      if (expected.kind === 'row') rows++;
    }
    return rows;
  }

  it('gives the same rows and reasons for generated records (unknown stores and future dates included)', () => {
    assert.ok(assertSame(ctx, records) > 1000);
  });

  it('gives the same result for records with a spoiled field, one field at a time', () => {
    const rng = xoroshiro128plus(5);
    const index = (n: number) => uniformInt(rng, 0, n - 1);
    const pick = <T>(xs: T[]) => xs[index(xs.length)]!;
    const spoiled: string[][] = [];
    for (let i = 0; i < 5_000; i++) {
      const fields = [...pick(records)];
      fields[index(fields.length)] = pick(SPOILERS);
      spoiled.push(fields);
    }
    const rows = assertSame(ctx, spoiled);
    assert.ok(rows > 500 && rows < 4_500, `a mix of accepted and rejected records (${rows} accepted)`);
  });

  it('gives the same result with shifted dates and a window', () => {
    assertSame(
      { ...ctx, shiftDays: 200, latestDate: '2015-10-01', window: { from: '2015-02-01', to: '2015-02-28' } },
      records.slice(0, 3000),
    );
  });

  it("rejects a record with the wrong number of fields, and names the header's count", () => {
    const read = trainRowReader(header!, 'train.csv', ctx);
    assert.deepEqual(read(['1', '2']), {
      kind: 'rejected',
      reason: `wrong number of fields: 2, the header has ${header!.length}`,
    });
  });

  it('names the column and quotes the value in every rejection, a missing value included', () => {
    const read = trainRowReader(header!, 'train.csv', ctx);
    const row = (over: Record<string, string>) =>
      header!.map(
        (h) =>
          over[h] ??
          {
            Store: '1',
            DayOfWeek: '2',
            Date: '2015-03-03',
            Sales: '10',
            Customers: '2',
            Open: '1',
            Promo: '0',
            StateHoliday: '0',
            SchoolHoliday: '0',
            Product: 'p01',
          }[h]!,
      );
    const cases: [Record<string, string>, string][] = [
      [{ Sales: 'NULL' }, 'Sales: a value is required, got "NULL"'],
      [{ Customers: '' }, 'Customers: a value is required, got ""'],
      [{ Date: 'NaN' }, 'Date: a value is required, got "NaN"'],
      [{ Sales: 'abc' }, 'Sales: must be a number, got "abc"'],
      [{ Sales: '1e308' }, 'Sales: must be a number, got "1e308"'],
      [{ Customers: '10000001' }, 'Customers: must be at most 10,000,000, got 10000001'],
      [{ Store: '2147483648' }, 'Store: must be at most 2147483647, got 2147483648'],
      [{ Open: '2' }, 'Open: must be 0 or 1, got 2'],
      [{ Date: '0001-01-01', DayOfWeek: '1' }, 'Date: 0001-01-01 is before 1990-01-01, the earliest date accepted'],
      [{ Date: '0000-00-00' }, 'Date: 0000-00-00 is not a real calendar date'],
      [{ DayOfWeek: '5' }, 'DayOfWeek: 5 does not match date 2015-03-03 (2)'],
    ];
    for (const [over, reason] of cases)
      assert.deepEqual(read(row(over)), { kind: 'rejected', reason }, JSON.stringify(over));
  });

  it('says a row was rejected because its store was, and only for a store the stores file rejected', () => {
    const read = trainRowReader(header!, 'train.csv', { ...ctx, rejectedStores: new Map([[18, 7]]) });
    const of = (store: number) => records.find((f) => f[0] === String(store) && f[5] === '1')!;
    assert.deepEqual(read(of(18)), {
      kind: 'rejected',
      reason: 'Store: store 18 was rejected (line 7 of the stores file)',
      storeRejected: true,
    });
    assert.deepEqual(read(of(19)), { kind: 'rejected', reason: 'unknown store 19' });
  });

  it('refuses a header without a required column, naming it', () => {
    assert.throws(
      () => trainRowReader(['Store', 'Date'], 'x.csv', ctx),
      /x\.csv: header lacks column\(s\) DayOfWeek, Sales/,
    );
  });
});
