// A training shard's line (platform/seriesHistory.ts writes them) as a series' days and plan.
import { invalidInput } from '../../contracts/failures.ts';
import type { StateHoliday } from '../../domain/holidays.ts';
import type { GivenDay, SeriesDay } from '../../ml/forecast/types.ts';

/**
 * A shard line: one series, its days as [date, sales, open, promo, state_holiday, school_holiday],
 * and the planned days of its forecast, if any, as [date, open, promo, state_holiday, school_holiday].
 */
export interface ShardSeries {
  store_id: number;
  product: string;
  days: [string, number, boolean, boolean, StateHoliday, boolean][];
  plan?: [string, boolean, boolean, StateHoliday, boolean][] | null;
}

export function parseShardLine(line: string): {
  storeId: number;
  product: string;
  history: SeriesDay[];
  plan: Map<string, GivenDay> | undefined;
} {
  const s = JSON.parse(line) as ShardSeries;
  const history: SeriesDay[] = s.days.map(([date, sales, open, promo, stateHoliday, schoolHoliday]) => ({
    date,
    sales,
    open,
    promo,
    stateHoliday,
    schoolHoliday,
  }));
  const plan = s.plan?.map(([date, open, promo, stateHoliday, schoolHoliday]): GivenDay => ({
    date,
    open,
    promo,
    stateHoliday,
    schoolHoliday,
    source: 'plan',
  }));
  return { storeId: s.store_id, product: s.product, history, plan: plan && new Map(plan.map((d) => [d.date, d])) };
}

// A shard line starts {"store_id" : 1, "product" : "p01", ... as Postgres' json_build_object writes it.
const SERIES_KEY = /^\{"store_id" : (\d+), "product" : ("(?:[^"\\]|\\.)*")/;

/** A shard line's series, read off its start without parsing its days; `where` names the shard in the error. */
export function seriesKey(line: string, where: string): { storeId: number; product: string } {
  const m = SERIES_KEY.exec(line);
  if (!m) throw invalidInput('shard', `${where} holds a line that is not a series`);
  return { storeId: Number(m[1]), product: JSON.parse(m[2]!) as string };
}
