// BigMart data (the real Train.csv and Test.csv columns and formats), deterministic by seed, with
// the real files' shape and dirt: the 10 real outlets (4 types, their years, sizes and tiers) with
// their shares of the rows, 1,559 items (weight, fat content and type fixed per item), blank
// Item_Weight in every row of OUT019 and OUT027 and blank Outlet_Size in every row of OUT010,
// OUT017 and OUT045 (so the seed's dropna keeps 4,650 of 8,523 rows), fat content also spelled
// LF / low fat / reg, and zero visibility, at the real file's rates as exact counts. Sales are the
// price times units that depend on the outlet type, with multiplicative noise: a stand-in for
// tests and benchmarks, never something to tune to (the real files are what counts).
import { BIGMART_COLUMNS } from '../../ml/tabular/presets/bigmart.ts';
import { Random } from './generator.ts';

export interface BigMartOptions {
  seed: number;
  /** Train.csv rows; Test.csv gets rows x 5,681 / 8,523. */
  rows: number;
}

export const DEFAULT_BIGMART_OPTIONS: BigMartOptions = { seed: 42, rows: 8523 };
export const MIN_BIGMART_ROWS = 100;
export const BIGMART_ITEMS = 1559;

interface Outlet {
  id: string;
  year: number;
  size: 'Small' | 'Medium' | 'High' | '';
  tier: 'Tier 1' | 'Tier 2' | 'Tier 3';
  type: 'Grocery Store' | 'Supermarket Type1' | 'Supermarket Type2' | 'Supermarket Type3';
  /** Rows in the real Train.csv and Test.csv. */
  train: number;
  test: number;
  blankWeight: boolean;
}

export const OUTLETS: readonly Outlet[] = [
  {
    id: 'OUT010',
    year: 1998,
    size: '',
    tier: 'Tier 3',
    type: 'Grocery Store',
    train: 555,
    test: 370,
    blankWeight: false,
  },
  {
    id: 'OUT013',
    year: 1987,
    size: 'High',
    tier: 'Tier 3',
    type: 'Supermarket Type1',
    train: 932,
    test: 621,
    blankWeight: false,
  },
  {
    id: 'OUT017',
    year: 2007,
    size: '',
    tier: 'Tier 2',
    type: 'Supermarket Type1',
    train: 926,
    test: 617,
    blankWeight: false,
  },
  {
    id: 'OUT018',
    year: 2009,
    size: 'Medium',
    tier: 'Tier 3',
    type: 'Supermarket Type2',
    train: 928,
    test: 618,
    blankWeight: false,
  },
  {
    id: 'OUT019',
    year: 1985,
    size: 'Small',
    tier: 'Tier 1',
    type: 'Grocery Store',
    train: 528,
    test: 352,
    blankWeight: true,
  },
  {
    id: 'OUT027',
    year: 1985,
    size: 'Medium',
    tier: 'Tier 3',
    type: 'Supermarket Type3',
    train: 935,
    test: 624,
    blankWeight: true,
  },
  {
    id: 'OUT035',
    year: 2004,
    size: 'Small',
    tier: 'Tier 2',
    type: 'Supermarket Type1',
    train: 930,
    test: 620,
    blankWeight: false,
  },
  {
    id: 'OUT045',
    year: 2002,
    size: '',
    tier: 'Tier 2',
    type: 'Supermarket Type1',
    train: 929,
    test: 619,
    blankWeight: false,
  },
  {
    id: 'OUT046',
    year: 1997,
    size: 'Small',
    tier: 'Tier 1',
    type: 'Supermarket Type1',
    train: 930,
    test: 620,
    blankWeight: false,
  },
  {
    id: 'OUT049',
    year: 1999,
    size: 'Medium',
    tier: 'Tier 1',
    type: 'Supermarket Type1',
    train: 930,
    test: 620,
    blankWeight: false,
  },
];
const REAL_TRAIN = 8523;
const REAL_TEST = 5681;

/** Median units sold per row by outlet type (the real mean sales over mean price, less the noise's mean). */
const UNITS: Record<Outlet['type'], number> = {
  'Grocery Store': 2.2,
  'Supermarket Type1': 14.8,
  'Supermarket Type2': 12.8,
  'Supermarket Type3': 23.7,
};
const NOISE_SD = 0.45;

/** Item types with their real row counts, and the identifier prefix each belongs to. */
const ITEM_TYPES: readonly [string, number, 'FD' | 'DR' | 'NC'][] = [
  ['Fruits and Vegetables', 1232, 'FD'],
  ['Snack Foods', 1200, 'FD'],
  ['Household', 910, 'NC'],
  ['Frozen Foods', 856, 'FD'],
  ['Dairy', 682, 'FD'],
  ['Canned', 649, 'FD'],
  ['Baking Goods', 648, 'FD'],
  ['Health and Hygiene', 520, 'NC'],
  ['Soft Drinks', 445, 'DR'],
  ['Meat', 425, 'FD'],
  ['Breads', 251, 'FD'],
  ['Hard Drinks', 214, 'DR'],
  ['Others', 169, 'NC'],
  ['Starchy Foods', 148, 'FD'],
  ['Breakfast', 110, 'FD'],
  ['Seafood', 64, 'FD'],
];

/** The real Train.csv's shares of dirty rows. */
export const BIGMART_DIRT_SHARES = {
  LF: 316 / REAL_TRAIN,
  'low fat': 112 / REAL_TRAIN,
  reg: 117 / REAL_TRAIN,
  zeroVisibility: 526 / REAL_TRAIN,
};

/** The real file's four price bands. */
const PRICE_BANDS: readonly [number, number][] = [
  [31.29, 69.5],
  [94, 136],
  [143, 203],
  [204, 266.89],
];

interface Item {
  id: string;
  weight: number;
  fat: 'Low Fat' | 'Regular';
  type: string;
  mrp: number;
  visibility: number;
  popularity: number;
}

// a type, not an interface: it is a RawRow (an index signature) for the dataset spec
export type BigMartRow = {
  Item_Identifier: string;
  Item_Weight: string;
  Item_Fat_Content: string;
  Item_Visibility: string;
  Item_Type: string;
  Item_MRP: string;
  Outlet_Identifier: string;
  Outlet_Establishment_Year: string;
  Outlet_Size: string;
  Outlet_Location_Type: string;
  Outlet_Type: string;
  /** Absent in Test.csv. */
  Item_Outlet_Sales?: string;
};

/** Whole counts in proportion to `weights` adding up to `total` (largest remainder). */
export function apportion(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w * total) / sum);
  const counts = exact.map(Math.floor);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0, left = total - counts.reduce((a, b) => a + b, 0); k < left; k++) counts[order[k]![1]]!++;
  return counts;
}

function items(rng: Random, count: number): Item[] {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const used = new Set<string>();
  return Array.from({ length: count }, () => {
    const [type, , prefix] = rng.pick(
      ITEM_TYPES,
      ITEM_TYPES.map((t) => t[1]),
    );
    let id: string;
    do id = `${prefix}${letters[rng.int(0, 25)]}${rng.int(0, 99).toString().padStart(2, '0')}`;
    while (used.has(id) && used.size < 3 * 26 * 100);
    // past the 7,800 ids of the real pattern (a --rows far above the real file's), ids get longer
    if (used.has(id)) id = `${prefix}${used.size}`;
    used.add(id);
    const [lo, hi] = PRICE_BANDS[rng.int(0, PRICE_BANDS.length - 1)]!;
    return {
      id,
      weight: Math.round((4.555 + rng.next() * (21.35 - 4.555)) * 1000) / 1000,
      // non-consumables are labelled Low Fat in the real file
      fat: prefix === 'NC' || rng.next() < 0.62 ? 'Low Fat' : 'Regular',
      type,
      mrp: Math.round((lo + rng.next() * (hi - lo)) * 10000) / 10000,
      visibility: Math.min(0.2, 0.06 * Math.exp(rng.normal(0, 0.55))),
      popularity: Math.exp(rng.normal(0, 0.12)),
    };
  });
}

/** Knuth's selection sampling: exactly `k` of the next `n` calls answer true. */
function chooser(rng: Random, k: number, n: number): () => boolean {
  let left = k;
  let seen = 0;
  return () => {
    const yes = rng.next() * (n - seen) < left;
    seen++;
    if (yes) left--;
    return yes;
  };
}

/** Train.csv and Test.csv rows (as the files' strings), each shuffled. */
export function generateBigMart(o: BigMartOptions): { train: BigMartRow[]; test: BigMartRow[] } {
  if (!Number.isInteger(o.rows) || o.rows < MIN_BIGMART_ROWS)
    throw new Error(`rows must be a whole number of at least ${MIN_BIGMART_ROWS}, got ${o.rows}`);
  const rng = new Random(o.seed);
  const trainCounts = apportion(
    OUTLETS.map((t) => t.train),
    o.rows,
  );
  const testCounts = apportion(
    OUTLETS.map((t) => t.test),
    Math.round((o.rows * REAL_TEST) / REAL_TRAIN),
  );
  // each outlet sells an item once: more rows than items need more items
  const catalogue = items(rng, Math.max(BIGMART_ITEMS, ...OUTLETS.map((_, i) => trainCounts[i]! + testCounts[i]!)));
  const trainRows: BigMartRow[] = [];
  const testRows: BigMartRow[] = [];
  OUTLETS.forEach((outlet, i) => {
    const stocked = shuffle(
      rng,
      catalogue.map((_, k) => k),
    ).slice(0, trainCounts[i]! + testCounts[i]!);
    stocked.forEach((k, n) => {
      const item = catalogue[k]!;
      // small outlets give each product more of their shelves
      const shelf = outlet.type === 'Grocery Store' ? 1.6 : 1;
      const row: BigMartRow = {
        Item_Identifier: item.id,
        Item_Weight: outlet.blankWeight ? '' : String(item.weight),
        Item_Fat_Content: item.fat,
        Item_Visibility: String(
          Math.round(Math.min(0.328, item.visibility * shelf * Math.exp(rng.normal(0, 0.15))) * 1e9) / 1e9,
        ),
        Item_Type: item.type,
        Item_MRP: String(item.mrp),
        Outlet_Identifier: outlet.id,
        Outlet_Establishment_Year: String(outlet.year),
        Outlet_Size: outlet.size,
        Outlet_Location_Type: outlet.tier,
        Outlet_Type: outlet.type,
      };
      if (n < trainCounts[i]!) {
        const sales = item.mrp * UNITS[outlet.type] * item.popularity * Math.exp(rng.normal(0, NOISE_SD));
        trainRows.push({ ...row, Item_Outlet_Sales: String(Math.round(Math.max(33.29, sales) * 10000) / 10000) });
      } else testRows.push(row);
    });
  });
  return { train: dirty(rng, shuffle(rng, trainRows)), test: dirty(rng, shuffle(rng, testRows)) };
}

/** Misspelled fat content and zero visibility at the real rates, as exact counts. */
function dirty(rng: Random, rows: BigMartRow[]): BigMartRow[] {
  const n = rows.length;
  const count = (share: number) => Math.round(share * n);
  const zero = chooser(rng, count(BIGMART_DIRT_SHARES.zeroVisibility), n);
  const lowFat = rows.filter((r) => r.Item_Fat_Content === 'Low Fat').length;
  const regular = n - lowFat;
  const misspelled = Math.min(lowFat, count(BIGMART_DIRT_SHARES.LF) + count(BIGMART_DIRT_SHARES['low fat']));
  const lowFatDirt = chooser(rng, misspelled, lowFat);
  const asLF = chooser(rng, Math.min(misspelled, count(BIGMART_DIRT_SHARES.LF)), misspelled);
  const reg = chooser(rng, Math.min(regular, count(BIGMART_DIRT_SHARES.reg)), regular);
  for (const r of rows) {
    if (zero()) r.Item_Visibility = '0';
    if (r.Item_Fat_Content === 'Low Fat') {
      if (lowFatDirt()) r.Item_Fat_Content = asLF() ? 'LF' : 'low fat';
    } else if (reg()) r.Item_Fat_Content = 'reg';
  }
  return rows;
}

function shuffle<T>(rng: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export const BIGMART_TRAIN_HEADER = BIGMART_COLUMNS.join(',');
export const BIGMART_TEST_HEADER = BIGMART_COLUMNS.slice(0, -1).join(',');

/** A row as the real files write it (no field needs quoting). */
export function bigmartCsvLine(row: BigMartRow): string {
  const columns = row.Item_Outlet_Sales === undefined ? BIGMART_COLUMNS.slice(0, -1) : BIGMART_COLUMNS;
  return columns.map((c) => row[c] ?? '').join(',');
}

/** A whole file's text: the header, then each row's line. */
export const bigmartCsv = (header: string, rows: readonly BigMartRow[]): string =>
  [header, ...rows.map(bigmartCsvLine)].join('\n') + '\n';
