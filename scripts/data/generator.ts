// Realistic Rossmann-format data, deterministic by seed: store.csv and train.csv in the real files'
// formats. The sales process has the structure real drugstore retail has, because forecasting is
// judged on it: store level and trend, weekday profile, Sunday and holiday closures, promo weeks with
// store-specific uplift, German-style state and school holidays, a yearly cycle peaking before
// Christmas, busier days around closures, month-start paydays, competitors opening nearby,
// refurbishment gaps (rows absent, as in the real file), customers tied to sales, and noise.
// Optional products split a store's sales into categories with their own shares and sensitivities.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { isoWeekday } from '../../domain/sales.ts';
import { addDays, DAY_MS } from '../../domain/dates.ts';

export interface GeneratorOptions {
  seed: number;
  stores: number;
  from: string;
  to: string;
  /** 0 = the store-level file (no Product column); K > 0 splits each store into K products. */
  products: number;
}

export const DEFAULT_OPTIONS: GeneratorOptions = {
  seed: 42,
  stores: 1115,
  from: '2013-01-01',
  to: '2015-07-31',
  products: 0,
};

export interface Store {
  id: number;
  type: 'a' | 'b' | 'c' | 'd';
  assortment: 'a' | 'b' | 'c';
  competitionDistance: number | null;
  competitionSince: { month: number; year: number } | null;
  promo2: { week: number; year: number; interval: string } | null;
  state: number;
  level: number;
  trendPerYear: number;
  promoUplift: number;
  sundayOpen: boolean;
  basket: number;
  weekdayProfile: number[];
  refurbishment: { from: string; to: string } | null;
}

/** A seeded source of uniform and normal draws (xoroshiro128+), shared by the data generators. */
export class Random {
  private readonly rng;
  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }
  next(): number {
    return uniformFloat64(this.rng);
  }
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[], weights: readonly number[]): T {
    let r = this.next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < items.length; i++) {
      r -= weights[i]!;
      if (r <= 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }
}

const toDate = (s: string) => new Date(`${s}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);

/** Easter Sunday (Anonymous Gregorian algorithm). */
function easter(year: number): string {
  const a = year % 19,
    b = Math.floor(year / 100),
    c = year % 100,
    d = Math.floor(b / 4),
    e = b % 4;
  const f = Math.floor((b + 8) / 25),
    g = Math.floor((b - f + 1) / 3),
    h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4),
    k = c % 4,
    l = (32 + 2 * e + 2 * i - h - k) % 7,
    m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31),
    day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const STATES = 12;

/** State holidays as Rossmann encodes them: a = public holiday, b = Easter, c = Christmas. */
function stateHolidays(year: number, state: number): Map<string, 'a' | 'b' | 'c'> {
  const e = easter(year);
  const days = new Map<string, 'a' | 'b' | 'c'>([
    [`${year}-01-01`, 'a'],
    [addDays(e, -2), 'b'],
    [addDays(e, 1), 'b'],
    [`${year}-05-01`, 'a'],
    [addDays(e, 39), 'a'],
    [addDays(e, 50), 'a'],
    [`${year}-10-03`, 'a'],
    [`${year}-12-25`, 'c'],
    [`${year}-12-26`, 'c'],
  ]);
  if (state % 4 === 0) days.set(`${year}-01-06`, 'a');
  if (state % 3 === 0) days.set(addDays(e, 60), 'a');
  if (state % 2 === 0) days.set(`${year}-11-01`, 'a');
  if (state % 5 === 1) days.set(`${year}-10-31`, 'a');
  return days;
}

/** School holidays per state: Easter, summer (staggered by state), autumn and Christmas breaks. */
function schoolHolidays(year: number, state: number): Set<string> {
  const days = new Set<string>();
  const span = (from: string, n: number) => {
    for (let i = 0; i < n; i++) days.add(addDays(from, i));
  };
  span(addDays(easter(year), -8), 15);
  span(addDays(`${year}-06-20`, (state * 5) % 35), 44);
  span(addDays(`${year}-10-05`, (state * 3) % 21), 12);
  span(`${year}-12-22`, 10);
  span(`${year}-01-01`, 5);
  return days;
}

export function generateStores(opts: GeneratorOptions): Store[] {
  const rnd = new Random(opts.seed);
  const intervals = ['Jan,Apr,Jul,Oct', 'Feb,May,Aug,Nov', 'Mar,Jun,Sept,Dec'];
  const firstYear = Number(opts.from.slice(0, 4));
  const lastYear = Number(opts.to.slice(0, 4));
  const stores: Store[] = [];
  for (let id = 1; id <= opts.stores; id++) {
    const type = rnd.pick(['a', 'b', 'c', 'd'] as const, [0.54, 0.016, 0.134, 0.31]);
    const assortment =
      type === 'b' ? rnd.pick(['a', 'b', 'c'] as const, [0.4, 0.5, 0.1]) : rnd.pick(['a', 'c'] as const, [0.53, 0.47]);
    const hasCompetition = rnd.next() > 0.003;
    const competitionSince =
      hasCompetition && rnd.next() > 0.32
        ? {
            month: rnd.int(1, 12),
            year: rnd.next() < 0.25 ? rnd.int(firstYear, lastYear) : rnd.int(1990, firstYear - 1),
          }
        : null;
    const promo2 =
      rnd.next() < 0.49
        ? { week: rnd.int(1, 50), year: rnd.int(2009, lastYear), interval: rnd.pick(intervals, [0.58, 0.24, 0.18]) }
        : null;
    const typeLevel = { a: 1, b: 1.45, c: 1.02, d: 0.98 }[type] * (assortment === 'c' ? 1.06 : 1);
    const weekday = [1.18, 1.02, 0.97, 0.95, 1.0, 0.9, 0.85].map((w) => w * Math.exp(rnd.normal(0, 0.04)));
    stores.push({
      id,
      type,
      assortment,
      competitionDistance: hasCompetition ? Math.round(Math.exp(rnd.normal(7.7, 1.2)) / 10) * 10 : null,
      competitionSince,
      promo2,
      state: rnd.int(0, STATES - 1),
      level: 5600 * typeLevel * Math.exp(rnd.normal(0, 0.38)),
      trendPerYear: rnd.normal(0.02, 0.05),
      promoUplift: Math.exp(rnd.normal(Math.log(1.33), 0.12)) - 1,
      sundayOpen: type === 'b' || rnd.next() < 0.02,
      basket: Math.exp(rnd.normal(Math.log(9.3), 0.15)),
      weekdayProfile: weekday,
      // About 16% of stores close for refurbishment for a few months, as 180 real stores did in 2014.
      refurbishment:
        rnd.next() < 0.16
          ? (() => {
              const from = addDays(`${firstYear + 1}-07-01`, 0);
              return { from, to: addDays(from, rnd.int(60, 183)) };
            })()
          : null,
    });
  }
  return stores;
}

const csvField = (v: string | number | null) => (v === null ? '' : String(v));

export function storeCsv(stores: Store[]): string {
  const lines = [
    'Store,StoreType,Assortment,CompetitionDistance,CompetitionOpenSinceMonth,CompetitionOpenSinceYear,Promo2,Promo2SinceWeek,Promo2SinceYear,PromoInterval',
  ];
  for (const s of stores) {
    lines.push(
      [
        s.id,
        s.type,
        s.assortment,
        csvField(s.competitionDistance),
        csvField(s.competitionSince?.month ?? null),
        csvField(s.competitionSince?.year ?? null),
        s.promo2 ? 1 : 0,
        csvField(s.promo2?.week ?? null),
        csvField(s.promo2?.year ?? null),
        s.promo2 ? `"${s.promo2.interval}"` : '',
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

export const TRAIN_HEADER = 'Store,DayOfWeek,Date,Sales,Customers,Open,Promo,StateHoliday,SchoolHoliday';

interface Product {
  name: string;
  share: number;
  weekday: number[];
  promo: number;
}

function makeProducts(k: number, seed: number): Product[] {
  const rnd = new Random(seed ^ 0x5f3759df);
  const raw = Array.from({ length: k }, () => Math.exp(rnd.normal(0, 0.6)));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((r, i) => ({
    name: `p${String(i + 1).padStart(2, '0')}`,
    share: r / total,
    weekday: Array.from({ length: 7 }, () => Math.exp(rnd.normal(0, 0.06))),
    promo: Math.exp(rnd.normal(0, 0.35)),
  }));
}

/**
 * Writes train.csv rows through `emit`, newest date first and stores ascending within a day, as
 * the real file is ordered. Returns the number of rows.
 */
export function generateTrain(opts: GeneratorOptions, stores: Store[], emit: (chunk: string) => void): number {
  const rnd = new Random(opts.seed + 1);
  const products = opts.products > 0 ? makeProducts(opts.products, opts.seed) : [];
  emit(products.length ? `${TRAIN_HEADER},Product\n` : `${TRAIN_HEADER}\n`);
  const start = toDate(opts.from).getTime();
  const days = Math.round((toDate(opts.to).getTime() - start) / DAY_MS) + 1;
  // Calendar facts per state and day, computed once: the per-row loop does no date arithmetic.
  const calendar = Array.from({ length: STATES }, (_, state) => {
    const years = new Map<number, { state: Map<string, 'a' | 'b' | 'c'>; school: Set<string> }>();
    const forYear = (y: number) => {
      if (!years.has(y)) years.set(y, { state: stateHolidays(y, state), school: schoolHolidays(y, state) });
      return years.get(y)!;
    };
    return Array.from({ length: days }, (_, d) => {
      const date = iso(new Date(start + d * DAY_MS));
      const y = Number(date.slice(0, 4));
      const tomorrow = addDays(date, 1);
      return {
        holiday: forYear(y).state.get(date) ?? ('0' as const),
        school: forYear(y).school.has(date),
        holidayTomorrow: forYear(Number(tomorrow.slice(0, 4))).state.has(tomorrow),
        holidayYesterday: forYear(Number(addDays(date, -1).slice(0, 4))).state.has(addDays(date, -1)),
      };
    });
  });
  // Promo runs Monday to Friday of every other week, for all stores at once, as Rossmann's does.
  const promoWeek = (date: string) => Math.floor((toDate(date).getTime() / DAY_MS + 3) / 7) % 2 === 0;
  let rows = 0;
  let buffer = '';
  for (let d = days - 1; d >= 0; d--) {
    const date = iso(new Date(start + d * DAY_MS));
    const year = Number(date.slice(0, 4));
    const month = Number(date.slice(5, 7));
    const dom = Number(date.slice(8, 10));
    const dow = isoWeekday(date);
    const yearsIn = d / 365.25;
    const promoDay = dow <= 5 && promoWeek(date);
    // Yearly cycle: quiet late winter, pre-Christmas peak through December.
    const season =
      1 +
      0.06 * Math.sin((2 * Math.PI * (month - 4)) / 12) +
      (month === 12 ? 0.22 * Math.min(1, dom / 20) : 0) -
      (month === 12 && dom > 24 ? 0.25 : 0);
    const payday = dom <= 3 ? 1.07 : dom >= 29 ? 1.04 : 1;
    for (const s of stores) {
      if (s.refurbishment && date >= s.refurbishment.from && date <= s.refurbishment.to) continue;
      const cal = calendar[s.state]![d]!;
      const stateHoliday = cal.holiday;
      const school = cal.school;
      const closedByRule = (dow === 7 && !s.sundayOpen) || (stateHoliday !== '0' && s.type !== 'b');
      const open = !closedByRule && rnd.next() > 0.0015;
      const promo = open && promoDay;
      let sales = 0;
      let customers = 0;
      if (open) {
        const nextClosed = (dow === 6 && !s.sundayOpen) || cal.holidayTomorrow;
        const afterClosure =
          cal.holidayYesterday || (s.refurbishment !== null && date === addDays(s.refurbishment.to, 1));
        const competition =
          s.competitionSince &&
          (year > s.competitionSince.year || (year === s.competitionSince.year && month >= s.competitionSince.month)) &&
          s.competitionSince.year >= Number(opts.from.slice(0, 4))
            ? 0.9
            : 1;
        const mean =
          s.level *
          s.weekdayProfile[dow - 1]! *
          season *
          payday *
          competition *
          (1 + s.trendPerYear * yearsIn) *
          (promo ? 1 + s.promoUplift : 1) *
          (school ? 1.02 : 1) *
          (nextClosed ? 1.06 : 1) *
          (afterClosure ? 1.15 : 1);
        sales = Math.max(0, Math.round(mean * Math.exp(rnd.normal(0, 0.09))));
        customers = Math.max(1, Math.round((sales / s.basket) * (promo ? 1.08 : 1) * Math.exp(rnd.normal(0, 0.05))));
      }
      // The real file writes StateHoliday as 0 and as "0"; readers must take both.
      const holidayField = stateHoliday === '0' && d % 3 === 0 ? '"0"' : stateHoliday;
      const fixed = `${s.id},${dow},${date},`;
      const tail = `,${open ? 1 : 0},${promo ? 1 : 0},${holidayField},${school ? 1 : 0}`;
      if (!products.length) {
        buffer += `${fixed}${sales},${customers}${tail}\n`;
        rows++;
      } else {
        for (const p of products) {
          const weight =
            p.share * p.weekday[dow - 1]! * (promo ? (1 + s.promoUplift * p.promo) / (1 + s.promoUplift) : 1);
          const ps = open ? Math.max(0, Math.round(sales * weight * Math.exp(rnd.normal(0, 0.12)))) : 0;
          const pc = open ? Math.max(ps > 0 ? 1 : 0, Math.round(customers * p.share)) : 0;
          buffer += `${fixed}${ps},${pc}${tail},${p.name}\n`;
          rows++;
        }
      }
      if (buffer.length > 1 << 20) {
        emit(buffer);
        buffer = '';
      }
    }
  }
  emit(buffer);
  return rows;
}
