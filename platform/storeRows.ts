// Turns store.csv records into stores rows. Columns that may be empty in Rossmann's file (the
// competition's distance and opening, the Promo2 start and interval) take any spelling of a missing
// value; the others need one. Every rejection names the column and quotes the value.
import { MAX_INT } from '../domain/sales.ts';
import { isMissing, quoted, requiredReason } from '../domain/missingValues.ts';

export const STORE_COLUMNS = [
  'Store',
  'StoreType',
  'Assortment',
  'CompetitionDistance',
  'CompetitionOpenSinceMonth',
  'CompetitionOpenSinceYear',
  'Promo2',
  'Promo2SinceWeek',
  'Promo2SinceYear',
  'PromoInterval',
] as const;

/** The stores table's columns, in STORE_COLUMNS' order. */
export type StoreValues = [
  storeId: number,
  storeType: string,
  assortment: string,
  competitionDistance: number | null,
  competitionOpenSinceMonth: number | null,
  competitionOpenSinceYear: number | null,
  promo2: boolean,
  promo2SinceWeek: number | null,
  promo2SinceYear: number | null,
  promoInterval: string | null,
];

export type StoreRecordResult =
  | { ok: true; values: StoreValues }
  /** `storeId` when the Store column itself was readable: its sales rows are this rejection's cascade. */
  | { ok: false; reason: string; storeId?: number };

class Rejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

// A whole number, also as pandas writes one in a column that had gaps (1270.0).
const WHOLE = /^\s*(\d+)(\.0*)?\s*$/;

function wholeNumber(
  column: string,
  value: string | undefined,
  min: number,
  max: number,
  what: string,
  optional: boolean,
): number | null {
  if (isMissing(value)) {
    if (optional) return null;
    throw new Rejected(requiredReason(column, value));
  }
  const m = WHOLE.exec(value!);
  if (!m) throw new Rejected(`${column}: ${quoted(value)} is not a whole number`);
  const n = Number(m[1]);
  if (n < min || n > max)
    throw new Rejected(`${column}: ${quoted(value)} is out of range (${what} from ${min} to ${max})`);
  return n;
}

function oneOf(column: string, value: string | undefined, allowed: readonly string[]): string {
  if (isMissing(value)) throw new Rejected(requiredReason(column, value));
  const v = value!.trim();
  if (!allowed.includes(v))
    throw new Rejected(`${column}: ${quoted(value)} must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`);
  return v;
}

const year = (column: string, value: string | undefined) => wholeNumber(column, value, 1900, 2100, 'a year', true);

/** One store.csv record (by column name) as a stores row, or the reason it is not one. */
export function parseStoreRecord(r: Record<string, string | undefined>): StoreRecordResult {
  let storeId: number | undefined;
  try {
    storeId = wholeNumber('Store', r.Store, 1, MAX_INT, 'a store number', false)!;
    const values: StoreValues = [
      storeId,
      oneOf('StoreType', r.StoreType, ['a', 'b', 'c', 'd']),
      oneOf('Assortment', r.Assortment, ['a', 'b', 'c']),
      wholeNumber('CompetitionDistance', r.CompetitionDistance, 0, MAX_INT, 'metres', true),
      wholeNumber('CompetitionOpenSinceMonth', r.CompetitionOpenSinceMonth, 1, 12, 'a month', true),
      year('CompetitionOpenSinceYear', r.CompetitionOpenSinceYear),
      oneOf('Promo2', r.Promo2, ['0', '1']) === '1',
      wholeNumber('Promo2SinceWeek', r.Promo2SinceWeek, 1, 53, 'a week', true),
      year('Promo2SinceYear', r.Promo2SinceYear),
      isMissing(r.PromoInterval) ? null : r.PromoInterval!.trim(),
    ];
    return { ok: true, values };
  } catch (err) {
    if (err instanceof Rejected)
      return { ok: false, reason: err.reason, ...(storeId === undefined ? {} : { storeId }) };
    throw err;
  }
}
