import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayNumber } from '../../ml/forecast/features.ts';
import {
  isoWeekMonday,
  NO_COMPETITOR_METRES,
  promoIntervalMonths,
  storeAttributes,
  storeDayFeatures,
  type StoreRecord,
} from '../../ml/forecast/storeFeatures.ts';

// Rows of Rossmann's store.csv, as the importer stores them.
const STORE_1: StoreRecord = {
  storeType: 'c',
  assortment: 'a',
  competitionDistance: 1270,
  competitionOpenSinceMonth: 9,
  competitionOpenSinceYear: 2008,
  promo2: false,
  promo2SinceWeek: null,
  promo2SinceYear: null,
  promoInterval: null,
};
const STORE_2: StoreRecord = {
  storeType: 'a',
  assortment: 'a',
  competitionDistance: 570,
  competitionOpenSinceMonth: 11,
  competitionOpenSinceYear: 2007,
  promo2: true,
  promo2SinceWeek: 13,
  promo2SinceYear: 2010,
  promoInterval: 'Jan,Apr,Jul,Oct',
};
// Store 12: a competitor 1,070 m away, opening date blank. Store 291: no competitor known.
const STORE_12: StoreRecord = {
  ...STORE_2,
  assortment: 'c',
  competitionDistance: 1070,
  competitionOpenSinceMonth: null,
  competitionOpenSinceYear: null,
};
const STORE_291: StoreRecord = {
  ...STORE_1,
  storeType: 'd',
  competitionDistance: null,
  competitionOpenSinceMonth: null,
  competitionOpenSinceYear: null,
};

const day = (date: string) => dayNumber(date);

describe('store attributes as day features', () => {
  it('reads PromoInterval months, Rossmann\'s "Sept" included, and names a bad one', () => {
    assert.deepEqual(promoIntervalMonths('Jan,Apr,Jul,Oct'), [1, 4, 7, 10]);
    assert.deepEqual(promoIntervalMonths('Mar,Jun,Sept,Dec'), [3, 6, 9, 12]);
    assert.deepEqual(promoIntervalMonths('Feb, May ,Aug,Nov'), [2, 5, 8, 11]);
    assert.throws(() => promoIntervalMonths('Jan,Foo', 'store 7'), /store 7: PromoInterval "Jan,Foo" has "Foo"/);
    assert.throws(() => promoIntervalMonths('Ja'), /"Ja", which is no month/);
  });

  it('finds the Monday of an ISO week, also when week 1 starts in December', () => {
    assert.equal(isoWeekMonday(2010, 13), day('2010-03-29'));
    assert.equal(isoWeekMonday(2010, 1), day('2010-01-04'));
    assert.equal(isoWeekMonday(2015, 1), day('2014-12-29'));
    assert.equal(isoWeekMonday(2009, 1), day('2008-12-29'));
    assert.equal(isoWeekMonday(2015, 53), day('2015-12-28'));
  });

  it('Promo2 runs from the Monday of its start week, and its months are the PromoInterval ones', () => {
    const s = storeAttributes(STORE_2);
    assert.deepEqual(
      [storeDayFeatures(s, '2010-03-28').promo2, storeDayFeatures(s, '2010-03-28').promo2_month],
      [0, 0],
    );
    const start = storeDayFeatures(s, '2010-03-29');
    assert.deepEqual([start.promo2, start.promo2_weeks, start.promo2_month], [1, 0, 0]); // March is no round month
    const april = storeDayFeatures(s, '2010-04-01');
    assert.deepEqual([april.promo2, april.promo2_weeks, april.promo2_month], [1, 0, 1]);
    assert.equal(storeDayFeatures(s, '2010-04-05').promo2_weeks, 1);
    assert.equal(storeDayFeatures(s, '2015-07-31').promo2_month, 1);
    assert.equal(storeDayFeatures(s, '2015-08-01').promo2_month, 0);
    assert.equal(storeDayFeatures(s, '2015-07-31').promo2_weeks, 278); // 1,950 days after 2010-03-29
    const none = storeAttributes(STORE_1);
    assert.deepEqual(
      [storeDayFeatures(none, '2015-07-01').promo2, storeDayFeatures(none, '2015-07-01').promo2_month],
      [0, 0],
    );
  });

  it('counts months since the competitor opened, from the first day of its month', () => {
    const s = storeAttributes(STORE_1);
    const before = storeDayFeatures(s, '2008-08-31');
    assert.deepEqual([before.competition_open, before.competition_months, before.competition_distance], [0, -1, 1270]);
    const opening = storeDayFeatures(s, '2008-09-01');
    assert.deepEqual([opening.competition_open, opening.competition_months], [1, 0]);
    assert.equal(storeDayFeatures(s, '2015-07-31').competition_months, 82);
    assert.equal(storeDayFeatures(s, '2009-01-15').competition_months, 4);
  });

  it('takes a competitor without an opening date as long open, and a store without one as far from any', () => {
    const undated = storeDayFeatures(storeAttributes(STORE_12), '2013-01-01');
    assert.deepEqual(
      [undated.competition_open, undated.competition_months, undated.competition_distance],
      [1, 240, 1070],
    );
    const alone = storeDayFeatures(storeAttributes(STORE_291), '2013-01-01');
    assert.deepEqual(
      [alone.competition_open, alone.competition_months, alone.competition_distance],
      [0, 0, NO_COMPETITOR_METRES],
    );
    assert.deepEqual([alone.store_type, alone.assortment], [3, 0]);
  });

  it('names a value the importer would not have stored', () => {
    assert.throws(
      () => storeAttributes({ ...STORE_1, storeType: 'e' }, 'store 1'),
      /store 1: StoreType "e" must be a, b, c or d/,
    );
    assert.throws(() => storeAttributes({ ...STORE_1, assortment: 'x' }), /Assortment "x"/);
    assert.throws(
      () => storeAttributes({ ...STORE_2, promoInterval: null }, 'store 2'),
      /store 2: Promo2 is 1 but .*PromoInterval blank/,
    );
  });
});
