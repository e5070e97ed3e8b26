import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forecastRange } from '../../api/forecastSchemas.ts';
import { dateProblem, dayBeforeIn, FIRST_DATE, lastDate } from '../../domain/dates.ts';

describe('the business date rule', () => {
  const today = '2026-12-01';

  it('accepts past dates from the first date to today, forecast dates up to two years ahead', () => {
    for (const d of [FIRST_DATE, '2015-07-31', '2024-02-29', today])
      assert.equal(dateProblem(d, 'past', today), null, d);
    for (const d of [FIRST_DATE, today, '2027-06-01', '2028-12-01'])
      assert.equal(dateProblem(d, 'forecast', today), null, d);
  });

  it('names the value and why it is not a date of the kind', () => {
    const cases: [unknown, 'past' | 'forecast', RegExp][] = [
      ['0000-00-00', 'past', /^0000-00-00 is not a real calendar date$/],
      ['2015-02-29', 'past', /^2015-02-29 is not a real calendar date$/],
      ['2015-13-01', 'forecast', /not a real calendar date/],
      ['0001-01-01', 'past', /^0001-01-01 is before 1990-01-01, the earliest date accepted$/],
      ['1989-12-31', 'forecast', /before 1990-01-01/],
      ['2026-12-02', 'past', /^2026-12-02 is in the future \(latest allowed 2026-12-01\)$/],
      ['9999-12-31', 'past', /in the future/],
      ['2028-12-02', 'forecast', /^2028-12-02 is more than 2 years ahead \(latest allowed 2028-12-01\)$/],
      ['31.07.2015', 'past', /^must be a date YYYY-MM-DD, got "31.07.2015"$/],
      ['2015-7-31', 'past', /YYYY-MM-DD, got "2015-7-31"/],
      [20150731, 'past', /YYYY-MM-DD, got 20150731/],
      [undefined, 'past', /YYYY-MM-DD, got nothing/],
    ];
    for (const [value, kind, reason] of cases)
      assert.match(dateProblem(value, kind, today) ?? 'accepted', reason, String(value));
  });

  it('puts two years from 29 February on 28 February', () => {
    assert.equal(lastDate('forecast', '2024-02-29'), '2026-02-28');
    assert.equal(lastDate('forecast', '2026-12-31'), '2028-12-31');
    assert.equal(lastDate('past', '2026-12-31'), '2026-12-31');
  });
});

describe('forecast ranges under the date rule', () => {
  const today = '2026-12-01';
  it('holds a left-out end to the rule as well as a given one', () => {
    assert.deepEqual(forecastRange({ store_id: 1, product_name: 'all', begin_date: '2028-11-20' }, today), {
      ok: true,
      begin: '2028-11-20',
      end: '2028-11-27',
    });
    assert.deepEqual(forecastRange({ store_id: 1, product_name: 'all', begin_date: '2028-11-30' }, today), {
      ok: false,
      field: 'end_date',
      reason: '2028-12-07 is more than 2 years ahead (latest allowed 2028-12-01)',
    });
  });
});

describe('the day a schedule tick is for', () => {
  it("is the day before the tick in the schedule's time zone, not in UTC", () => {
    // 00:30 in Berlin on 2 December is still 1 December in UTC: the tick is for 1 December.
    assert.equal(dayBeforeIn('Europe/Berlin', new Date('2026-12-01T23:30:00Z')), '2026-12-01');
    assert.equal(dayBeforeIn('UTC', new Date('2026-12-01T23:30:00Z')), '2026-11-30');
    // 18:00 on 1 December in Los Angeles is already 2 December in UTC: the tick is for 30 November.
    assert.equal(dayBeforeIn('America/Los_Angeles', new Date('2026-12-02T02:00:00Z')), '2026-11-30');
    assert.equal(dayBeforeIn('Pacific/Kiritimati', new Date('2026-12-01T10:30:00Z')), '2026-12-01');
  });

  it('crosses month, year and leap-day boundaries', () => {
    assert.equal(dayBeforeIn('Europe/Berlin', new Date('2026-12-31T23:30:00Z')), '2026-12-31');
    assert.equal(dayBeforeIn('Europe/Berlin', new Date('2024-02-29T23:30:00Z')), '2024-02-29');
    assert.equal(dayBeforeIn('UTC', new Date('2024-03-01T00:30:00Z')), '2024-02-29');
  });

  it('is the same across a daylight-saving change (the 01:00 Sunday tick of 27 October 2024 in Berlin)', () => {
    assert.equal(dayBeforeIn('Europe/Berlin', new Date('2024-10-26T23:00:00Z')), '2024-10-26');
    assert.equal(dayBeforeIn('Europe/Berlin', new Date('2024-10-27T00:00:00Z')), '2024-10-26');
  });
});
