// Turns train.csv lines into sales rows. The reference path maps a record to an event and checks it
// with the API's zod schema (contracts/sales.ts), so the importer and the API share one set of
// rules. The fast path accepts the common, clearly valid line without building an event object
// (zod was the largest cost of a bulk import); whatever it does not accept goes through the
// reference path, which then decides and words the reason. Tests check that the fast path accepts
// nothing the reference rejects and yields the same row.
import { breaksRule, DEFAULT_PRODUCT, isoWeekday, isValidDate, parseSaleEvent, PRODUCT_NAME, type RuleContext, type SaleRow } from '../../contracts/sales.ts';
import { addDays } from '../../domain/dates.ts';

export const TRAIN_COLUMNS = ['Store', 'DayOfWeek', 'Date', 'Sales', 'Customers', 'Open', 'Promo', 'StateHoliday', 'SchoolHoliday'] as const;

/** A CSV field as the JSON value the event schema expects: integers as numbers, the rest as text. */
const unquote = (v: string | undefined) => (v !== undefined && v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);
const csvValue = (raw: string | undefined) => { const v = unquote(raw); return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : v; };

/** One train.csv record as a sales event: the reference mapping. */
export function trainRecordToEvent(r: Record<string, string>): Record<string, unknown> {
  return {
    store_id: csvValue(r.Store), day_of_week: csvValue(r.DayOfWeek), sales: csvValue(r.Sales),
    customers: csvValue(r.Customers), open: csvValue(r.Open), promo: csvValue(r.Promo),
    state_holiday: unquote(r.StateHoliday), school_holiday: csvValue(r.SchoolHoliday), date: unquote(r.Date), product: unquote(r.Product) ?? DEFAULT_PRODUCT,
  };
}

export interface TrainRowOptions extends RuleContext {
  /** Days added to every date (the producer shifts history so its last day is yesterday). */
  shiftDays?: number;
  /** Only rows dated within this window (before any shift) are read; the rest are skipped. */
  window?: { from: string; to: string };
}

export type TrainRowResult =
  | { kind: 'row'; row: SaleRow }
  | { kind: 'rejected'; reason: string }
  | { kind: 'skipped' };

const COUNT = /^\d{1,8}$/;
const MAX_COUNT = 10_000_000;
const FLAGS: Record<string, boolean> = { 0: false, 1: true };
const STATE_HOLIDAY: Record<string, SaleRow['stateHoliday']> = { 0: '0', '"0"': '0', a: 'a', b: 'b', c: 'c' };

/**
 * A reader for the records after the header: `read(fields)` gives a row, a rejection with its
 * reason, or a skip (outside the window). Throws if the header lacks a required column. Without
 * the fast path every record takes the reference path (the tests' yardstick).
 */
export function trainRowReader(header: string[], file: string, opts: TrainRowOptions, { fastPath = true } = {}): (fields: string[]) => TrainRowResult {
  const missing = TRAIN_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw new Error(`${file}: header lacks column(s) ${missing.join(', ')}; found ${header.join(', ')}`);
  const at = (c: string) => header.indexOf(c);
  const [iStore, iDow, iDate, iSales, iCustomers, iOpen, iPromo, iState, iSchool] = TRAIN_COLUMNS.map(at) as [number, number, number, number, number, number, number, number, number];
  const iProduct = at('Product');
  const shift = opts.shiftDays ?? 0;

  // Dates repeat once per store: each distinct date is checked and shifted once.
  const dates = new Map<string, { date: string; weekday: number } | null>();
  const dateInfo = (raw: string) => {
    let info = dates.get(raw);
    if (info === undefined) {
      info = isValidDate(raw) ? { date: shift ? addDays(raw, shift) : raw, weekday: isoWeekday(raw) } : null;
      dates.set(raw, info);
    }
    return info;
  };

  const reference = (fields: string[]): TrainRowResult => {
    const event = trainRecordToEvent(Object.fromEntries(header.map((h, i) => [h, fields[i]!])));
    if (shift && typeof event.date === 'string' && isValidDate(event.date)) { event.date = addDays(event.date, shift); delete event.day_of_week; }
    const parsed = parseSaleEvent(event);
    if (!parsed.ok) return { kind: 'rejected', reason: `${parsed.field}: ${parsed.reason}` };
    const broken = breaksRule(parsed.value, opts);
    return broken ? { kind: 'rejected', reason: broken } : { kind: 'row', row: parsed.value };
  };

  const fast = (fields: string[]): SaleRow | undefined => {
    const store = fields[iStore]!, sales = fields[iSales]!, customers = fields[iCustomers]!;
    const info = dateInfo(fields[iDate]!);
    const open = FLAGS[fields[iOpen]!], promo = FLAGS[fields[iPromo]!], school = FLAGS[fields[iSchool]!];
    const stateHoliday = STATE_HOLIDAY[fields[iState]!];
    const product = iProduct < 0 ? DEFAULT_PRODUCT : fields[iProduct]!;
    if (!info || !COUNT.test(store) || !COUNT.test(sales) || !COUNT.test(customers) || open === undefined || promo === undefined ||
      school === undefined || stateHoliday === undefined || Number(fields[iDow]) !== info.weekday || !PRODUCT_NAME.test(product)) return undefined;
    const row: SaleRow = {
      storeId: Number(store), product, date: info.date, sales: Number(sales), customers: Number(customers), open, promo, stateHoliday, schoolHoliday: school,
    };
    if (row.storeId < 1 || row.sales > MAX_COUNT || row.customers > MAX_COUNT || breaksRule(row, opts)) return undefined;
    return row;
  };

  return (fields) => {
    if (fields.length !== header.length) return { kind: 'rejected', reason: `wrong number of fields: ${fields.length}, the header has ${header.length}` };
    if (opts.window) {
      const date = unquote(fields[iDate]) ?? '';
      if (date < opts.window.from || date > opts.window.to) return { kind: 'skipped' };
    }
    const row = fastPath ? fast(fields) : undefined;
    return row ? { kind: 'row', row } : reference(fields);
  };
}
