// Turns train.csv lines into sales rows. The reference path maps a record to an event and checks it
// with the API's zod schema (contracts/sales.ts) and the business rules (domain/sales.ts), so the
// importer and the API share one set of rules. The fast path accepts the common, clearly valid line without building an event object
// (zod was the largest cost of a bulk import); whatever it does not accept goes through the
// reference path, which then decides and words the reason. Tests check that the fast path accepts
// nothing the reference rejects and yields the same row.
import { parseSaleEvent } from '../contracts/sales.ts';
import { invalidInput } from '../contracts/failures.ts';
import { addDays, isCalendarDate } from '../domain/dates.ts';
import {
  breaksRule,
  DEFAULT_PRODUCT,
  eventDateProblem,
  isoWeekday,
  MAX_COUNT,
  PRODUCT_NAME,
  type RuleContext,
  type SaleRow,
} from '../domain/sales.ts';
import { isMissing, requiredReason } from '../domain/missingValues.ts';

export const TRAIN_COLUMNS = [
  'Store',
  'DayOfWeek',
  'Date',
  'Sales',
  'Customers',
  'Open',
  'Promo',
  'StateHoliday',
  'SchoolHoliday',
] as const;
/** The event field each column becomes, so a rejection names the file's column. */
const COLUMN_OF_FIELD: Record<string, string> = {
  store_id: 'Store',
  day_of_week: 'DayOfWeek',
  date: 'Date',
  sales: 'Sales',
  customers: 'Customers',
  open: 'Open',
  promo: 'Promo',
  state_holiday: 'StateHoliday',
  school_holiday: 'SchoolHoliday',
  product: 'Product',
};

/** A CSV field as the JSON value the event schema expects: integers as numbers, the rest as text. */
const unquote = (v: string | undefined) =>
  v !== undefined && v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
export const csvValue = (raw: string | undefined) => {
  const v = unquote(raw);
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : v;
};

/** One train.csv record as a sales event: the reference mapping. */
export function trainRecordToEvent(r: Record<string, string>): Record<string, unknown> {
  return {
    store_id: csvValue(r.Store),
    day_of_week: csvValue(r.DayOfWeek),
    sales: csvValue(r.Sales),
    customers: csvValue(r.Customers),
    open: csvValue(r.Open),
    promo: csvValue(r.Promo),
    state_holiday: unquote(r.StateHoliday),
    school_holiday: csvValue(r.SchoolHoliday),
    date: unquote(r.Date),
    product: unquote(r.Product) ?? DEFAULT_PRODUCT,
  };
}

export interface TrainRowOptions extends RuleContext {
  /** Days added to every date (the producer shifts history so its last day is yesterday). */
  shiftDays?: number;
  /** Only rows dated within this window (before any shift) are read; the rest are skipped. */
  window?: { from: string; to: string };
  /** Stores rejected from the stores file just imported, with their line there: their rows are the rejection's cascade. */
  rejectedStores?: ReadonlyMap<number, number>;
}

export type TrainRowResult =
  | { kind: 'row'; row: SaleRow }
  /** `storeRejected`: the row is fine but its store was rejected from the stores file. */
  | { kind: 'rejected'; reason: string; storeRejected?: true }
  | { kind: 'skipped' };

const COUNT = /^\d{1,8}$/;
const FLAGS: Record<string, boolean> = { 0: false, 1: true };
const STATE_HOLIDAY: Record<string, SaleRow['stateHoliday']> = { 0: '0', '"0"': '0', a: 'a', b: 'b', c: 'c' };

/**
 * A reader for the records after the header: `read(fields)` gives a row, a rejection with its
 * reason, or a skip (outside the window). Throws if the header lacks a required column. Without
 * the fast path every record takes the reference path (the tests' yardstick).
 */
export function trainRowReader(
  header: string[],
  file: string,
  opts: TrainRowOptions,
  { fastPath = true } = {},
): (fields: string[]) => TrainRowResult {
  const missing = TRAIN_COLUMNS.filter((c) => !header.includes(c));
  // Bad input a retry cannot fix: an import's chunk activity fails at once.
  if (missing.length)
    throw invalidInput(file, `header lacks column(s) ${missing.join(', ')}; found ${header.join(', ')}`);
  const at = (c: string) => header.indexOf(c);
  const [iStore, iDow, iDate, iSales, iCustomers, iOpen, iPromo, iState, iSchool] = TRAIN_COLUMNS.map(at) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const iProduct = at('Product');
  const shift = opts.shiftDays ?? 0;

  // Dates repeat once per store: each distinct date is checked (by the events' date rule) and shifted once.
  const dates = new Map<string, { date: string; weekday: number } | null>();
  const dateInfo = (raw: string) => {
    let info = dates.get(raw);
    if (info === undefined) {
      const date = isCalendarDate(raw) ? (shift ? addDays(raw, shift) : raw) : undefined;
      info = date !== undefined && !eventDateProblem(date) ? { date, weekday: isoWeekday(raw) } : null;
      dates.set(raw, info);
    }
    return info;
  };
  const required = TRAIN_COLUMNS.map(at);

  const reference = (fields: string[]): TrainRowResult => {
    for (const i of required)
      if (isMissing(unquote(fields[i]))) return { kind: 'rejected', reason: requiredReason(header[i]!, fields[i]) };
    const event = trainRecordToEvent(Object.fromEntries(header.map((h, i) => [h, fields[i]!])));
    if (shift && typeof event.date === 'string' && isCalendarDate(event.date)) {
      event.date = addDays(event.date, shift);
      delete event.day_of_week;
    }
    const parsed = parseSaleEvent(event);
    if (!parsed.ok)
      return { kind: 'rejected', reason: `${COLUMN_OF_FIELD[parsed.field] ?? parsed.field}: ${parsed.reason}` };
    const row = parsed.value;
    const broken = breaksRule(row, opts);
    if (!broken) return { kind: 'row', row };
    const storeLine = opts.knownStores.has(row.storeId) ? undefined : opts.rejectedStores?.get(row.storeId);
    if (storeLine !== undefined)
      return {
        kind: 'rejected',
        reason: `Store: store ${row.storeId} was rejected (line ${storeLine} of the stores file)`,
        storeRejected: true,
      };
    return { kind: 'rejected', reason: broken };
  };

  const fast = (fields: string[]): SaleRow | undefined => {
    const store = fields[iStore]!,
      sales = fields[iSales]!,
      customers = fields[iCustomers]!;
    const info = dateInfo(fields[iDate]!);
    const open = FLAGS[fields[iOpen]!],
      promo = FLAGS[fields[iPromo]!],
      school = FLAGS[fields[iSchool]!];
    const stateHoliday = STATE_HOLIDAY[fields[iState]!];
    const product = iProduct < 0 ? DEFAULT_PRODUCT : fields[iProduct]!;
    if (
      !info ||
      !COUNT.test(store) ||
      !COUNT.test(sales) ||
      !COUNT.test(customers) ||
      open === undefined ||
      promo === undefined ||
      school === undefined ||
      stateHoliday === undefined ||
      Number(fields[iDow]) !== info.weekday ||
      !PRODUCT_NAME.test(product)
    )
      return undefined;
    const row: SaleRow = {
      storeId: Number(store),
      product,
      date: info.date,
      sales: Number(sales),
      customers: Number(customers),
      open,
      promo,
      stateHoliday,
      schoolHoliday: school,
    };
    if (row.storeId < 1 || row.sales > MAX_COUNT || row.customers > MAX_COUNT || breaksRule(row, opts))
      return undefined;
    return row;
  };

  return (fields) => {
    if (fields.length !== header.length)
      return { kind: 'rejected', reason: `wrong number of fields: ${fields.length}, the header has ${header.length}` };
    if (opts.window) {
      const date = unquote(fields[iDate]) ?? '';
      if (date < opts.window.from || date > opts.window.to) return { kind: 'skipped' };
    }
    const row = fastPath ? fast(fields) : undefined;
    return row ? { kind: 'row', row } : reference(fields);
  };
}
