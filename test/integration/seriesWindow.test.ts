// The weekly training's window lines against the real Postgres: every stored day of a shard's series
// comes back from its compact line exactly (missing days, state holiday codes, a product name with a
// quote and a backslash), with the store's planned days, and only the window's days.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseShardLine, seriesKey } from '../../activities/training/shardLine.ts';
import type { SeriesDay } from '../../ml/forecast/types.ts';
import { createPool, type Pool } from '../../platform/postgres.ts';
import { seriesWindowLines } from '../../platform/seriesHistory.ts';
import { seedStores } from '../helpers/sales.ts';
import { testConfig } from '../helpers/stack.ts';

// Stores and a year no other test writes.
const STORES = [8801, 8802];
const AS_OF = '2003-03-31';
const QUOTED = 'a"b\\c';

async function clear(pool: Pool): Promise<void> {
  await pool.query('DELETE FROM sales WHERE store_id = ANY($1)', [STORES]);
  await pool.query('DELETE FROM planned_calendar WHERE store_id = ANY($1)', [STORES]);
}

describe('training window lines', () => {
  let pool: Pool;
  before(async () => {
    pool = createPool(testConfig().postgres, 'retailflow-test');
    await seedStores(pool, STORES);
    await clear(pool);
    // 8801 p01: every day from before the window to asOf; 8801 QUOTED: a week missing and every
    // fifth day; 8802 p01: one day. Flags and holidays vary with the day.
    await pool.query(
      `INSERT INTO sales (store_id, product, date, sales, customers, open, promo, state_holiday, school_holiday)
       SELECT s.store_id, s.product, d::date, CASE WHEN n % 6 = 0 THEN 0 ELSE n * 7919 + n * n * 104729 END, 0,
              n % 2 = 1, n % 3 = 1, (ARRAY['0', 'a', 'b', 'c'])[1 + n % 4], n % 5 > 2
       FROM (VALUES (8801, 'p01'), (8801, $1), (8802, 'p01')) AS s (store_id, product),
            generate_series('2002-12-01'::date, $2::date, '1 day') AS d,
            LATERAL (SELECT (d::date - '2002-12-01'::date) AS n) AS k
       WHERE (s.product = 'p01' AND s.store_id = 8801)
          OR (s.product = $1 AND n % 5 <> 0 AND d NOT BETWEEN '2003-02-10' AND '2003-02-16')
          OR (s.store_id = 8802 AND d = '2003-03-15')`,
      [QUOTED, AS_OF],
    );
    await pool.query(
      `INSERT INTO planned_calendar (store_id, date, open, promo, state_holiday, school_holiday, source)
       VALUES (8801, '2003-04-01', false, true, 'b', true, 'test'), (8801, '2003-04-03', true, false, '0', false, 'test'),
              (8801, '2003-04-09', true, true, '0', false, 'test')`,
    );
  });
  after(async () => {
    await clear(pool);
    await pool.end();
  });

  it("gives each series' stored days in the window exactly, with its store's planned days", async () => {
    const lines: string[] = [];
    for await (const line of seriesWindowLines(pool, {
      asOf: AS_OF,
      windowDays: 60,
      planDays: 7,
      stores: { first: STORES[0]!, last: STORES[1]! },
    }))
      lines.push(line);
    // Every stored day of the window, read as a SeriesDay with its series' key.
    const { rows } = await pool.query<SeriesDay & { key: string }>(
      `SELECT store_id || ':' || product AS key, date::text, sales, open, promo, state_holiday AS "stateHoliday",
              school_holiday AS "schoolHoliday"
       FROM sales WHERE store_id = ANY($1) AND date > $2::date - 60 AND date <= $2 ORDER BY store_id, product, date`,
      [STORES, AS_OF],
    );
    const stored = new Map<string, SeriesDay[]>();
    for (const { key, ...day } of rows) stored.set(key, [...(stored.get(key) ?? []), day]);
    assert.deepEqual([...stored.keys()], ['8801:a"b\\c', '8801:p01', '8802:p01']);
    assert.equal(stored.get('8801:p01')!.length, 60);
    assert.equal(stored.get('8802:p01')!.length, 1);

    const parsed = lines.map(parseShardLine);
    assert.deepEqual(
      parsed.map((s) => [`${s.storeId}:${s.product}`, s.history]),
      [...stored.entries()],
    );
    assert.deepEqual(
      lines.map((line) => seriesKey(line, 'the window')),
      parsed.map((s) => ({ storeId: s.storeId, product: s.product })),
    );
    // Offsets only where a day is missing.
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { offsets: unknown }).offsets === null),
      [false, true, true],
    );
    const plan = [
      { date: '2003-04-01', open: false, promo: true, stateHoliday: 'b', schoolHoliday: true, source: 'plan' },
      { date: '2003-04-03', open: true, promo: false, stateHoliday: '0', schoolHoliday: false, source: 'plan' },
    ];
    assert.deepEqual(
      parsed.map((s) => (s.plan ? [...s.plan.values()] : s.plan)),
      [plan, plan, undefined],
    );
  });

  it('reads without JIT in a transaction of its own: the pooled connection keeps its settings', async () => {
    const one = createPool(testConfig().postgres, 'retailflow-test');
    one.options.max = 1;
    try {
      const session = async () =>
        (await one.query<{ pid: number; jit: string }>("SELECT pg_backend_pid() AS pid, current_setting('jit') AS jit"))
          .rows[0]!;
      const before = await session();
      const lines: string[] = [];
      for await (const line of seriesWindowLines(one, {
        asOf: AS_OF,
        windowDays: 60,
        stores: { first: 8801, last: 8801 },
      }))
        lines.push(line);
      assert.equal(lines.length, 2);
      // The same connection, out of the read's transaction (else SET LOCAL's jit = off would show).
      assert.deepEqual(await session(), before);
    } finally {
      await one.end();
    }
  });
});
