// The planners' calendar in Postgres (planned_calendar): stored by POST /v1/calendar and the
// importer, read by forecasts for the days it covers. Upserts by (store, date): a plan sent again
// writes nothing twice, and a later plan of a day replaces the earlier one.
import type pg from 'pg';
import type { PlannedDay } from '../contracts/calendar.ts';
import type { GivenDay } from '../ml/forecast/types.ts';

const BATCH = 10_000;

/** Stores the days (the last of any repeated store and date wins); returns how many were written. */
export async function savePlannedDays(
  db: pg.Pool | pg.PoolClient,
  days: readonly PlannedDay[],
  source: string,
): Promise<number> {
  const unique = [...new Map(days.map((d) => [`${d.storeId}/${d.date}`, d])).values()];
  for (let i = 0; i < unique.length; i += BATCH) {
    const batch = unique.slice(i, i + BATCH);
    await db.query(
      `INSERT INTO planned_calendar (store_id, date, open, promo, state_holiday, school_holiday, source)
       SELECT *, $7 FROM unnest($1::int[], $2::date[], $3::boolean[], $4::boolean[], $5::text[], $6::boolean[])
       ON CONFLICT (store_id, date) DO UPDATE SET open = EXCLUDED.open, promo = EXCLUDED.promo,
         state_holiday = EXCLUDED.state_holiday, school_holiday = EXCLUDED.school_holiday,
         source = EXCLUDED.source, updated_at = now()`,
      [
        batch.map((d) => d.storeId),
        batch.map((d) => d.date),
        batch.map((d) => d.open),
        batch.map((d) => d.promo),
        batch.map((d) => d.stateHoliday),
        batch.map((d) => d.schoolHoliday),
        source,
      ],
    );
  }
  return unique.length;
}

/** The stores' planned days from `from` to `to` (both included), by store and date. */
export async function plannedDays(
  pool: pg.Pool,
  storeIds: readonly number[],
  from: string,
  to: string,
): Promise<Map<number, Map<string, GivenDay>>> {
  const { rows } = await pool.query<{
    store_id: number;
    date: string;
    open: boolean;
    promo: boolean;
    state_holiday: GivenDay['stateHoliday'];
    school_holiday: boolean;
  }>(
    `SELECT store_id, to_char(date, 'YYYY-MM-DD') AS date, open, promo, state_holiday, school_holiday
     FROM planned_calendar WHERE store_id = ANY($1::int[]) AND date BETWEEN $2 AND $3`,
    [storeIds, from, to],
  );
  const byStore = new Map<number, Map<string, GivenDay>>();
  for (const r of rows) {
    let days = byStore.get(r.store_id);
    if (!days) byStore.set(r.store_id, (days = new Map<string, GivenDay>()));
    days.set(r.date, {
      date: r.date,
      open: r.open,
      promo: r.promo,
      stateHoliday: r.state_holiday,
      schoolHoliday: r.school_holiday,
      source: 'plan',
    });
  }
  return byStore;
}

/** Of these stores, the ones the stores table lacks. */
export async function unknownStores(pool: pg.Pool, storeIds: readonly number[]): Promise<Set<number>> {
  const { rows } = await pool.query<{ store_id: number }>(
    'SELECT s.id AS store_id FROM unnest($1::int[]) AS s(id) WHERE NOT EXISTS (SELECT 1 FROM stores WHERE store_id = s.id)',
    [[...new Set(storeIds)]],
  );
  return new Set(rows.map((r) => r.store_id));
}
