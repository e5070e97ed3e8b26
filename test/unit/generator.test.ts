import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { isoWeekday } from '../../domain/sales.ts';
import { addDays, datesBetween, todayIn } from '../../domain/dates.ts';
import {
  generateStores,
  generateTrain,
  storeCsv,
  TRAIN_HEADER,
  type GeneratorOptions,
} from '../../scripts/data/generator.ts';

const opts: GeneratorOptions = { seed: 7, stores: 30, from: '2014-01-01', to: '2014-12-31', products: 0 };
function generated(o: GeneratorOptions) {
  let text = '';
  const stores = generateStores(o);
  const rows = generateTrain(o, stores, (chunk) => {
    text += chunk;
  });
  return { stores, rows, text, records: parse<Record<string, string>>(text, { columns: true }) };
}

describe('Rossmann data generator', () => {
  const g = generated(opts);

  it('is deterministic by seed', () => {
    assert.equal(generated(opts).text, g.text);
    assert.notEqual(generated({ ...opts, seed: 8 }).text, g.text);
  });

  it("writes the real files' columns, with blanks in store.csv where the real file has them", () => {
    assert.ok(g.text.startsWith(`${TRAIN_HEADER}\n`));
    const stores = parse<Record<string, string>>(storeCsv(g.stores), { columns: true });
    assert.equal(stores.length, 30);
    assert.ok(stores.some((s) => s.Promo2 === '0' && s.PromoInterval === '' && s.Promo2SinceWeek === ''));
    assert.ok(stores.every((s) => /^[abcd]$/.test(s.StoreType!) && /^[abc]$/.test(s.Assortment!)));
  });

  it('has the structure of real retail: closed Sundays and holidays, promo uplift, a December peak', () => {
    const open = g.records.filter((r) => r.Open === '1');
    const mean = (rows: Record<string, string>[]) => rows.reduce((a, r) => a + Number(r.Sales), 0) / rows.length;
    assert.ok(
      g.records
        .filter((r) => r.DayOfWeek === '7')
        .every((r) => r.Open === '0' || g.stores[Number(r.Store) - 1]!.sundayOpen),
    );
    assert.ok(g.records.filter((r) => r.Date === '2014-12-25').every((r) => r.StateHoliday === 'c'));
    assert.ok(g.records.filter((r) => r.Open === '0').every((r) => r.Sales === '0' && r.Customers === '0'));
    assert.ok(mean(open.filter((r) => r.Promo === '1')) > 1.15 * mean(open.filter((r) => r.Promo === '0')));
    const dec = open.filter((r) => (r.Date ?? '') >= '2014-12-01' && (r.Date ?? '') <= '2014-12-20');
    const feb = open.filter((r) => (r.Date ?? '').startsWith('2014-02'));
    assert.ok(mean(dec) > 1.1 * mean(feb));
    assert.ok(g.records.every((r) => Number(r.DayOfWeek) === isoWeekday(r.Date!)));
    assert.ok(g.text.includes(',"0",'), 'StateHoliday is sometimes written "0", as in the real file');
  });

  it('splits stores into products when asked', () => {
    const p = generated({ ...opts, stores: 3, to: '2014-01-31', products: 4 });
    assert.equal(p.rows, p.records.length);
    assert.deepEqual([...new Set(p.records.map((r) => r.Product))].sort(), ['p01', 'p02', 'p03', 'p04']);
  });
});

describe('dates', () => {
  it('adds days across month and year ends and lists ranges', () => {
    assert.equal(addDays('2015-12-31', 1), '2016-01-01');
    assert.equal(addDays('2016-03-01', -1), '2016-02-29');
    assert.deepEqual(datesBetween('2015-01-30', '2015-02-02'), [
      '2015-01-30',
      '2015-01-31',
      '2015-02-01',
      '2015-02-02',
    ]);
    assert.deepEqual(datesBetween('2015-01-02', '2015-01-01'), []);
  });

  it('tells today in a time zone', () => {
    const instant = new Date('2026-01-01T23:30:00Z');
    assert.equal(todayIn('UTC', instant), '2026-01-01');
    assert.equal(todayIn('Europe/Berlin', instant), '2026-01-02');
  });
});
