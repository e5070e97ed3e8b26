// Who buys what, and when, in generated Online Retail data: a product catalogue, customers of six
// archetypes with their own rhythms, and the shop's calendar (the real file's year, no Saturdays,
// busier towards a November peak). Pure and deterministic by the Random given.
import { addDays, datesBetween } from '../../domain/dates.ts';
import type { Random } from './generator.ts';

export const FIRST_DAY = '2010-12-01';
export const LAST_DAY = '2011-12-09';

export interface Product {
  code: string;
  description: string;
  price: number;
}

const ADJECTIVES = [
  'WHITE',
  'RED',
  'PINK',
  'VINTAGE',
  'RETRO',
  'JUMBO',
  'HEART',
  'REGENCY',
  'PAPER',
  'GLASS',
  'WOODEN',
];
const THINGS = [
  'T-LIGHT HOLDER',
  'LANTERN',
  'MUG',
  'BAG',
  'CAKE STAND',
  'TEACUP',
  'BUNTING',
  'CANDLE',
  'CLOCK',
  'SIGN',
];
const SETS = ['', '', '', 'SET OF 3', 'SET OF 6', 'SET/4', 'PACK OF 12'];

export function catalogue(rng: Random, size: number): Product[] {
  return Array.from({ length: size }, (_, i) => {
    const set = SETS[rng.int(0, SETS.length - 1)]!;
    const name = `${ADJECTIVES[rng.int(0, ADJECTIVES.length - 1)]!} ${THINGS[rng.int(0, THINGS.length - 1)]!}`;
    return {
      code: `${20000 + i * 2 + (i % 3)}${i % 7 === 0 ? 'A' : ''}`,
      // "SET OF 3, ..." puts a comma in the CSV, quoted as the real file's descriptions are.
      description: set ? `${name}, ${set}` : name,
      price: Math.max(0.06, Math.round(Math.exp(rng.normal(Math.log(2.5), 0.8)) * 100) / 100),
    };
  });
}

export type Archetype = 'loyal' | 'regular' | 'occasional' | 'one-off' | 'lapsed' | 'wholesale';

interface Rhythm {
  share: number;
  invoices: [min: number, max: number];
  /** Evenly spaced purchases (with jitter) rather than seasonal draws. */
  steady: boolean;
  /** The part of the year it buys in: lapsed customers stop before the summer. */
  until: number;
  lines: number;
  quantities: readonly number[];
}

export const ARCHETYPES: Record<Archetype, Rhythm> = {
  loyal: { share: 0.05, invoices: [20, 60], steady: true, until: 1, lines: 25, quantities: [6, 12, 12, 24, 48] },
  regular: { share: 0.2, invoices: [6, 15], steady: true, until: 1, lines: 18, quantities: [1, 2, 4, 6, 12] },
  occasional: { share: 0.3, invoices: [2, 5], steady: false, until: 1, lines: 12, quantities: [1, 2, 3, 6] },
  'one-off': { share: 0.25, invoices: [1, 1], steady: false, until: 1, lines: 10, quantities: [1, 2, 4] },
  lapsed: { share: 0.12, invoices: [2, 8], steady: false, until: 0.45, lines: 15, quantities: [1, 3, 6, 12] },
  wholesale: { share: 0.08, invoices: [5, 20], steady: true, until: 1, lines: 35, quantities: [24, 48, 96, 144, 600] },
};

const COUNTRIES = ['United Kingdom', 'Germany', 'France', 'EIRE', 'Spain', 'Netherlands', 'Belgium', 'Australia'];
const COUNTRY_WEIGHTS = [0.89, 0.025, 0.022, 0.02, 0.012, 0.011, 0.01, 0.01];

export interface Customer {
  id: number;
  archetype: Archetype;
  country: string;
}

export function customers(rng: Random, n: number): Customer[] {
  const kinds = Object.keys(ARCHETYPES) as Archetype[];
  const shares = kinds.map((k) => ARCHETYPES[k].share);
  return Array.from({ length: n }, (_, i) => ({
    id: 12346 + i,
    archetype: rng.pick(kinds, shares),
    country: rng.pick(COUNTRIES, COUNTRY_WEIGHTS),
  }));
}

export const guestCountry = (rng: Random): string =>
  rng.next() < 0.95 ? 'United Kingdom' : rng.pick(COUNTRIES, COUNTRY_WEIGHTS);

const isSaturday = (day: string) => new Date(day).getUTCDay() === 6;

// The real file has no Saturday trade; autumn builds to a November peak before the Christmas lull.
const MONTH_WEIGHT = [0.75, 0.7, 0.9, 0.8, 0.95, 0.9, 0.9, 0.95, 1.3, 1.5, 1.9, 1.1];
export const TRADING_DAYS = datesBetween(FIRST_DAY, LAST_DAY).filter((d) => !isSaturday(d));
const CUMULATIVE = (() => {
  let sum = 0;
  return TRADING_DAYS.map((d) => (sum += MONTH_WEIGHT[Number(d.slice(5, 7)) - 1]!));
})();

/** A trading day drawn by season, within the first `part` of the year. */
export function seasonalDay(rng: Random, part = 1): string {
  const last = CUMULATIVE[Math.max(0, Math.ceil(TRADING_DAYS.length * part) - 1)]!;
  const r = rng.next() * last;
  let lo = 0;
  let hi = CUMULATIVE.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (CUMULATIVE[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return TRADING_DAYS[lo]!;
}

/** The days a customer buys on, by its archetype's rhythm. */
export function purchaseDays(rng: Random, archetype: Archetype): string[] {
  const r = ARCHETYPES[archetype];
  const n = rng.int(r.invoices[0], r.invoices[1]);
  if (!r.steady) return Array.from({ length: n }, () => seasonalDay(rng, r.until));
  const span = TRADING_DAYS.length * r.until;
  const start = rng.next() * (span / n);
  return Array.from({ length: n }, (_, i) => {
    const day =
      TRADING_DAYS[Math.min(TRADING_DAYS.length - 1, Math.floor(start + (i + rng.next() * 0.4) * (span / n)))]!;
    return day;
  });
}

/** A time of day in the shop's hours, 'HH:MM'. */
export const timeOfDay = (rng: Random): string =>
  `${String(rng.int(7, 19)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}`;

/** A trading day up to `maxDays` later (a Saturday moves to the Sunday), not past the file's last day. */
export const laterDay = (rng: Random, day: string, maxDays: number): string => {
  let later = addDays(day, rng.int(0, maxDays));
  if (isSaturday(later)) later = addDays(later, 1);
  return later > LAST_DAY ? LAST_DAY : later;
};
