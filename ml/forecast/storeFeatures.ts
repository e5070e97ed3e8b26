// A store's attributes (the stores table, from Rossmann's store.csv) as features of a day:
// - competition: whether the nearest competitor had opened by that day and for how many months
//   (an opening month is counted from its first day); a competitor with a distance but no opening
//   date is taken as open all along, as it had opened before the file's history began; a store
//   without a known competitor gets NO_COMPETITOR_METRES, so "far away" and "none" sort together;
// - Promo2: whether the store takes part by that day (from the Monday of its ISO start week) and
//   whether the day falls in one of its PromoInterval months, when a new round starts.
import { civilFromDays, dayNumber } from './features.ts';

/** The stores table's columns a forecast uses, as the importer stored them (null: blank in store.csv). */
export interface StoreRecord {
  storeType: string;
  assortment: string;
  competitionDistance: number | null;
  competitionOpenSinceMonth: number | null;
  competitionOpenSinceYear: number | null;
  promo2: boolean;
  promo2SinceWeek: number | null;
  promo2SinceYear: number | null;
  promoInterval: string | null;
}

export interface StoreAttributes {
  /** a..d as 0..3; assortment a..c as 0..2 (basic, extra, extended: an order). */
  storeType: number;
  assortment: number;
  competitionDistance: number | null;
  /** Month number (year * 12 + month - 1) the competitor opened; null: unknown. */
  competitionSince: number | null;
  /** Day number of the Monday Promo2 started; null: the store takes no part. */
  promo2Start: number | null;
  /** Months (1..12) a Promo2 round starts in. */
  promo2Months: number[];
}

export const NO_COMPETITOR_METRES = 100_000;
// Months since opening stop counting here: a competitor open 20 years is as settled as one open 40.
const MONTHS_CAP = 240;

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** "Jan,Apr,Jul,Oct" as [1, 4, 7, 10]; Rossmann writes September "Sept". */
export function promoIntervalMonths(text: string, store = 'store'): number[] {
  return text.split(',').map((raw) => {
    const name = raw.trim().toLowerCase();
    const month = name.length >= 3 ? MONTHS.findIndex((m) => m.startsWith(name)) : -1;
    if (month < 0) throw new Error(`${store}: PromoInterval "${text}" has "${raw.trim()}", which is no month`);
    return month + 1;
  });
}

/** The Monday of ISO week `week` of `year`, as a day number. */
export function isoWeekMonday(year: number, week: number): number {
  const jan4 = dayNumber(`${year}-01-04`);
  const jan4Weekday = (((jan4 + 3) % 7) + 7) % 7; // 0 = Monday; day 0 (1970-01-01) was a Thursday
  return jan4 - jan4Weekday + (week - 1) * 7;
}

const STORE_TYPES = ['a', 'b', 'c', 'd'];
const ASSORTMENTS = ['a', 'b', 'c'];

/** A stores row as attributes; a value the importer would not have stored is an error naming it. */
export function storeAttributes(r: StoreRecord, store = 'store'): StoreAttributes {
  const storeType = STORE_TYPES.indexOf(r.storeType);
  if (storeType < 0) throw new Error(`${store}: StoreType "${r.storeType}" must be a, b, c or d`);
  const assortment = ASSORTMENTS.indexOf(r.assortment);
  if (assortment < 0) throw new Error(`${store}: Assortment "${r.assortment}" must be a, b or c`);
  const since =
    r.competitionOpenSinceYear !== null && r.competitionOpenSinceMonth !== null
      ? r.competitionOpenSinceYear * 12 + r.competitionOpenSinceMonth - 1
      : null;
  let promo2Start: number | null = null;
  let promo2Months: number[] = [];
  if (r.promo2) {
    if (r.promo2SinceYear === null || r.promo2SinceWeek === null || r.promoInterval === null)
      throw new Error(
        `${store}: Promo2 is 1 but Promo2SinceWeek ${r.promo2SinceWeek ?? 'blank'}, Promo2SinceYear ${r.promo2SinceYear ?? 'blank'}, PromoInterval ${r.promoInterval ?? 'blank'}: all three are needed`,
      );
    promo2Start = isoWeekMonday(r.promo2SinceYear, r.promo2SinceWeek);
    promo2Months = promoIntervalMonths(r.promoInterval, store);
  }
  return {
    storeType,
    assortment,
    competitionDistance: r.competitionDistance,
    competitionSince: since,
    promo2Start,
    promo2Months,
  };
}

export const STORE_FEATURE_NAMES = [
  'store_type',
  'assortment',
  'competition_distance',
  'competition_open',
  'competition_months',
  'promo2',
  'promo2_weeks',
  'promo2_month',
] as const;
export const STORE_FEATURE_COUNT = STORE_FEATURE_NAMES.length;

/** Writes a store's features for a day (`date`'s day number) into `out` at `offset`, in STORE_FEATURE_NAMES order. */
export function writeStoreFeatures(
  s: StoreAttributes,
  day: number,
  out: Float64Array | number[],
  offset: number,
): void {
  const { year, month } = civilFromDays(day);
  const monthIndex = year * 12 + month - 1;
  const hasCompetitor = s.competitionDistance !== null;
  const monthsOpen = s.competitionSince === null ? MONTHS_CAP : monthIndex - s.competitionSince;
  const promo2On = s.promo2Start !== null && day >= s.promo2Start;
  out[offset] = s.storeType;
  out[offset + 1] = s.assortment;
  out[offset + 2] = s.competitionDistance ?? NO_COMPETITOR_METRES;
  out[offset + 3] = hasCompetitor && monthsOpen >= 0 ? 1 : 0;
  out[offset + 4] = hasCompetitor ? Math.max(-MONTHS_CAP, Math.min(MONTHS_CAP, monthsOpen)) : 0;
  out[offset + 5] = promo2On ? 1 : 0;
  out[offset + 6] = promo2On ? Math.floor((day - s.promo2Start!) / 7) : 0;
  out[offset + 7] = promo2On && s.promo2Months.includes(month) ? 1 : 0;
}

/** A day's store features by name: for tests and the page's "why". */
export function storeDayFeatures(
  s: StoreAttributes,
  date: string,
): Record<(typeof STORE_FEATURE_NAMES)[number], number> {
  const out = new Float64Array(STORE_FEATURE_COUNT);
  writeStoreFeatures(s, dayNumber(date), out, 0);
  return Object.fromEntries(STORE_FEATURE_NAMES.map((name, i) => [name, out[i]!])) as Record<
    (typeof STORE_FEATURE_NAMES)[number],
    number
  >;
}
