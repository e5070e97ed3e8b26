// A training shard's line (platform/seriesHistory.ts writes them) as a series' days and plan.
import { invalidInput } from '../../contracts/failures.ts';
import { DAY_MS } from '../../domain/dates.ts';
import type { StateHoliday } from '../../domain/holidays.ts';
import type { GivenDay, SeriesDay } from '../../ml/forecast/types.ts';

/**
 * A shard line: one series, its days from `first` as one string of comma-separated tokens (the day's
 * sales, then `o` open, `p` promo, `s` school holiday and the state holiday's code unless '0': "5263op,0,4810opa"),
 * the days' offsets from `first` when they are not consecutive (a store closed for refurbishment has no
 * rows), else null, and the planned days of its forecast, if any, as [date, open, promo, state_holiday, school_holiday].
 */
export interface ShardSeries {
  store_id: number;
  product: string;
  first: string;
  days: string;
  offsets: number[] | null;
  plan?: [string, boolean, boolean, StateHoliday, boolean][] | null;
}

/**
 * The line snapshots written before the compact one hold (a retried shard of a run started before it
 * replays them): each day as [date, sales, open, promo, state_holiday, school_holiday].
 */
export interface ArrayShardSeries {
  store_id: number;
  product: string;
  days: [string, number, boolean, boolean, StateHoliday, boolean][];
  plan?: ShardSeries['plan'];
}

const COMMA = 44;
const ZERO = 48;
const NINE = 57;
const FLAG = { o: 111, p: 112, s: 115, a: 97, b: 98, c: 99 } as const;

// Every series of a shard has the same dates: each day's string is built once per thread and shared.
const dateStrings = new Map<number, string>();
function dateOf(epochDay: number): string {
  let date = dateStrings.get(epochDay);
  if (date === undefined) {
    if (dateStrings.size >= 4096) dateStrings.clear();
    date = new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
    dateStrings.set(epochDay, date);
  }
  return date;
}

/** The days of a compact line, checked token by token (`where` names the series in an error). */
function compactDays(s: ShardSeries, where: string): SeriesDay[] {
  const { days, offsets } = s;
  const start = Date.parse(`${s.first}T00:00:00Z`) / DAY_MS;
  if (!Number.isInteger(start))
    throw invalidInput('shard', `${where}: first day ${JSON.stringify(s.first) ?? 'missing'} is not a date`);
  const history: SeriesDay[] = [];
  if (days === '') return history;
  let sales = 0;
  let digits = 0;
  // A flag letter ends the day's sales digits.
  let flagged = false;
  let open = false;
  let promo = false;
  let schoolHoliday = false;
  let stateHoliday: StateHoliday = '0';
  for (let i = 0; i <= days.length; i++) {
    const c = i < days.length ? days.charCodeAt(i) : COMMA;
    if (c >= ZERO && c <= NINE && !flagged) {
      sales = sales * 10 + c - ZERO;
      digits++;
    } else if (c === COMMA && digits > 0) {
      const offset = offsets ? offsets[history.length] : history.length;
      if (offset === undefined) throw invalidInput('shard', `${where}: more days than offsets`);
      history.push({ date: dateOf(start + offset), sales, open, promo, stateHoliday, schoolHoliday });
      sales = 0;
      digits = 0;
      flagged = open = promo = schoolHoliday = false;
      stateHoliday = '0';
    } else if (digits > 0 && c === FLAG.o) flagged = open = true;
    else if (digits > 0 && c === FLAG.p) flagged = promo = true;
    else if (digits > 0 && c === FLAG.s) flagged = schoolHoliday = true;
    else if (digits > 0 && stateHoliday === '0' && (c === FLAG.a || c === FLAG.b || c === FLAG.c)) {
      flagged = true;
      stateHoliday = String.fromCharCode(c) as StateHoliday;
    } else throw invalidInput('shard', `${where}: day ${history.length + 1} is not a day token`);
  }
  if (offsets && offsets.length !== history.length) throw invalidInput('shard', `${where}: fewer days than offsets`);
  return history;
}

export function parseShardLine(line: string): {
  storeId: number;
  product: string;
  history: SeriesDay[];
  plan: Map<string, GivenDay> | undefined;
} {
  const s = JSON.parse(line) as ShardSeries | ArrayShardSeries;
  const history: SeriesDay[] =
    typeof s.days === 'string'
      ? compactDays(s as ShardSeries, `series ${s.store_id}:${s.product}`)
      : s.days.map(([date, sales, open, promo, stateHoliday, schoolHoliday]) => ({
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
