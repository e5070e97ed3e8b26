import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSaleEvent } from '../../contracts/sales.ts';
import { validateSalesBatch, type StagedEvent } from '../../domain/salesBatch.ts';

const good = (over: Record<string, unknown> = {}) => ({
  store_id: 1,
  date: '2015-07-31',
  day_of_week: 5,
  sales: 5263,
  customers: 555,
  open: 1,
  promo: 1,
  state_holiday: '0',
  school_holiday: 1,
  ...over,
});
const ctx = { knownStores: new Set([1, 2, 3]), latestDate: '2015-08-01' };
const staged = (payloads: unknown[]): StagedEvent[] => payloads.map((payload, i) => ({ eventId: i + 1, payload }));

describe('sales event shape', () => {
  it('accepts a Rossmann row, with StateHoliday as 0, "0", a, b or c', () => {
    for (const h of [0, '0', 'a', 'b', 'c']) {
      const r = parseSaleEvent(good({ state_holiday: h }));
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.value.stateHoliday, String(h));
    }
    const r = parseSaleEvent(good());
    assert.deepEqual(r.ok && r.value, {
      storeId: 1,
      product: 'all',
      date: '2015-07-31',
      sales: 5263,
      customers: 555,
      open: true,
      promo: true,
      stateHoliday: '0',
      schoolHoliday: true,
    });
  });

  it('names the field and the reason for each kind of bad value', () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [good({ sales: -1 }), 'sales', />= 0/],
      [good({ customers: 1.5 }), 'customers', /whole number/],
      [good({ sales: '12' }), 'sales', /must be a number/],
      [good({ open: 2 }), 'open', /0 or 1/],
      [good({ state_holiday: 'd' }), 'state_holiday', /0, a, b, c/],
      [good({ date: '2015-02-30' }), 'date', /2015-02-30 is not a real calendar date/],
      [good({ date: '31.07.2015' }), 'date', /must be a date YYYY-MM-DD, got "31.07.2015"/],
      [good({ date: '0000-00-00' }), 'date', /0000-00-00 is not a real calendar date/],
      [good({ date: '0001-01-01' }), 'date', /0001-01-01 is before 1990-01-01/],
      [good({ date: '9999-12-31' }), 'date', /9999-12-31 is in the future/],
      [good({ sales: 1e308 }), 'sales', /^must be at most 10,000,000, got 1e\+308$/],
      [good({ sales: 'abc' }), 'sales', /^must be a number, got "abc"$/],
      [good({ customers: undefined }), 'customers', /^must be a number, got nothing$/],
      [good({ store_id: 2147483648 }), 'store_id', /^must be at most 2147483647, got 2147483648$/],
      [good({ day_of_week: 3 }), 'day_of_week', /does not match date 2015-07-31 \(5\)/],
      [good({ store_id: 0 }), 'store_id', />= 1/],
      [good({ colour: 'red' }), 'colour', /unknown field/],
      [{ store_id: 1 }, 'date', /must be a date YYYY-MM-DD, got nothing/],
    ];
    for (const [event, field, reason] of cases) {
      const r = parseSaleEvent(event);
      assert.equal(r.ok, false, JSON.stringify(event));
      if (!r.ok) {
        assert.equal(r.field, field, JSON.stringify(event));
        assert.match(r.reason, reason);
      }
    }
  });
});

describe('validateSalesBatch', () => {
  it('rejects every kind of bad row with its reason and lands the rest', () => {
    const batch = validateSalesBatch(
      staged([
        good(), // 1 ok
        good({ store_id: 99 }), // 2 unknown store
        good({ date: '2015-08-02', day_of_week: 7 }), // 3 future
        good({ store_id: 2, open: 0 }), // 4 sales on a closed day
        good({ store_id: 2, sales: -3 }), // 5 negative sales
        'not an object', // 6 wrong type
        good({ store_id: 3 }), // 7 ok, then resent identically
        good({ store_id: 3 }), // 8 duplicate
        good({ store_id: 1, product: 'p1', sales: 10 }), // 9 conflicting pair
        good({ store_id: 1, product: 'p1', sales: 11 }), // 10
      ]),
      ctx,
      parseSaleEvent,
    );
    assert.deepEqual(
      batch.accepted.map((r) => [r.storeId, r.product]),
      [
        [1, 'all'],
        [3, 'all'],
      ],
    );
    const reasons = Object.fromEntries(batch.rejected.map((r) => [r.line, r.reason]));
    assert.match(reasons[2]!, /unknown store 99/);
    assert.match(reasons[3]!, /in the future/);
    assert.match(reasons[4]!, /sales 5263 on a closed day/);
    assert.match(reasons[5]!, /^sales: .*>= 0/);
    assert.match(reasons[6]!, /^\(event\)/);
    assert.match(reasons[8]!, /duplicate of event 7/);
    assert.match(reasons[9]!, /conflicting values .* events 9, 10/);
    assert.match(reasons[10]!, /conflicting values/);
    assert.equal(batch.accepted.length + batch.rejected.length, 10, 'counts reconcile: nothing dropped');
    assert.equal(batch.rejected.find((r) => r.line === 6)?.raw, '"not an object"', 'the raw event is kept');
  });
});
