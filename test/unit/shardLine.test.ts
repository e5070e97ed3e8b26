// A training shard's line, as platform/seriesHistory.ts writes it, back to a series' days: the compact
// line and the array-per-day line that snapshots written before it hold (a retried shard replays them).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseShardLine, seriesKey } from '../../activities/training/shardLine.ts';
import { addDays, daysBetween } from '../../domain/dates.ts';
import type { SeriesDay } from '../../ml/forecast/types.ts';

/** The compact line as Postgres' json_build_object writes it (a day: sales, then o, p, s and the state holiday). */
function compactLine(storeId: number, product: string, days: SeriesDay[], plan?: unknown): string {
  const first = days[0]!.date;
  const tokens = days.map(
    (d) =>
      `${d.sales}${d.open ? 'o' : ''}${d.promo ? 'p' : ''}${d.schoolHoliday ? 's' : ''}${d.stateHoliday === '0' ? '' : d.stateHoliday}`,
  );
  const offsets = days.map((d) => daysBetween(first, d.date));
  const consecutive = offsets.every((o, i) => o === i);
  return `{"store_id" : ${storeId}, "product" : ${JSON.stringify(product)}, "first" : "${first}", "days" : "${tokens.join(',')}", "offsets" : ${consecutive ? 'null' : `[${offsets.join(', ')}]`}${plan === undefined ? '' : `, "plan" : ${JSON.stringify(plan)}`}}`;
}

/** The line snapshots held before the compact one. */
function arrayLine(storeId: number, product: string, days: SeriesDay[]): string {
  const rows = days.map((d) => [d.date, d.sales, d.open, d.promo, d.stateHoliday, d.schoolHoliday]);
  return `{"store_id" : ${storeId}, "product" : ${JSON.stringify(product)}, "days" : ${JSON.stringify(rows)}}`;
}

// Every flag combination and state holiday code, sales of 0 to millions, across a year's end and a leap day.
const days: SeriesDay[] = Array.from({ length: 64 }, (_, i) => ({
  date: addDays('2015-12-20', i * 11),
  sales: i % 5 === 0 ? 0 : i * 104_729,
  open: (i & 1) === 1,
  promo: (i & 2) === 2,
  schoolHoliday: (i & 4) === 4,
  stateHoliday: (['0', 'a', 'b', 'c'] as const)[(i >> 3) & 3]!,
}));
const consecutive = days.map((d, i) => ({ ...d, date: addDays('2015-12-20', i) }));

describe('parseShardLine', () => {
  it('reads a compact line as Postgres writes it, a missing day included', () => {
    const line =
      '{"store_id" : 12, "product" : "p01", "first" : "2016-02-27", "days" : "5263op,0,0sa,12b,7opsc", "offsets" : [0, 1, 2, 4, 5], "plan" : [["2016-03-05", true, false, "0", false], ["2016-03-06", false, false, "a", true]]}';
    const s = parseShardLine(line);
    assert.equal(s.storeId, 12);
    assert.equal(s.product, 'p01');
    assert.deepEqual(s.history, [
      { date: '2016-02-27', sales: 5263, open: true, promo: true, stateHoliday: '0', schoolHoliday: false },
      { date: '2016-02-28', sales: 0, open: false, promo: false, stateHoliday: '0', schoolHoliday: false },
      { date: '2016-02-29', sales: 0, open: false, promo: false, stateHoliday: 'a', schoolHoliday: true },
      { date: '2016-03-02', sales: 12, open: false, promo: false, stateHoliday: 'b', schoolHoliday: false },
      { date: '2016-03-03', sales: 7, open: true, promo: true, stateHoliday: 'c', schoolHoliday: true },
    ]);
    assert.deepEqual(
      [...s.plan!.values()],
      [
        { date: '2016-03-05', open: true, promo: false, stateHoliday: '0', schoolHoliday: false, source: 'plan' },
        { date: '2016-03-06', open: false, promo: false, stateHoliday: 'a', schoolHoliday: true, source: 'plan' },
      ],
    );
  });

  for (const [name, series] of [
    ['consecutive days', consecutive],
    ['days with gaps', days],
  ] as const)
    it(`gives the same days from both lines: ${name}, every flag and state holiday code`, () => {
      const product = 'q"uo\\te';
      const compact = parseShardLine(compactLine(3, product, series));
      assert.deepEqual(compact, { storeId: 3, product, history: series, plan: undefined });
      assert.deepEqual(parseShardLine(arrayLine(3, product, series)), compact);
    });

  it('reads a line without a plan, a null plan and an empty series', () => {
    assert.equal(parseShardLine(compactLine(1, 'p01', consecutive.slice(0, 3))).plan, undefined);
    assert.equal(parseShardLine(compactLine(1, 'p01', consecutive.slice(0, 3), null)).plan, undefined);
    const empty = '{"store_id" : 1, "product" : "p01", "first" : "2015-03-01", "days" : "", "offsets" : null}';
    assert.deepEqual(parseShardLine(empty).history, []);
  });

  it('refuses a token that is not a day, and offsets that do not match the days', () => {
    const line = (d: string, offsets = 'null') =>
      `{"store_id" : 5, "product" : "p01", "first" : "2015-03-01", "days" : "${d}", "offsets" : ${offsets}}`;
    for (const bad of ['12o,', ',12', '12,,3', 'o12', '12o3', '12x', '1.5o', '-3', '12ab', ' 12'])
      assert.throws(() => parseShardLine(line(bad)), /series 5:p01: day \d+ is not a day token/, bad);
    assert.throws(() => parseShardLine(line('1,2', '[0]')), /more days than offsets/);
    assert.throws(() => parseShardLine(line('1,2', '[0, 1, 2]')), /fewer days than offsets/);
    assert.throws(
      () => parseShardLine('{"store_id" : 5, "product" : "p01", "days" : "1,2", "offsets" : null}'),
      /first day missing is not a date/,
    );
  });
});

describe('seriesKey', () => {
  it('reads the series off both lines without parsing the days, quotes and backslashes included', () => {
    const product = 'a "b" \\c';
    for (const line of [compactLine(42, product, consecutive), arrayLine(42, product, consecutive)])
      assert.deepEqual(seriesKey(line, 'shard 0'), { storeId: 42, product });
    assert.throws(() => seriesKey('{"product" : "p01"}', 'shard 3'), /shard 3 holds a line that is not a series/);
  });
});
