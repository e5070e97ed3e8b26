// One line of the UCI Online Retail file (or of the daily files Spark tutorials split it into) as a
// transaction, and what makes it readable. Only what cannot be read is rejected: cancellations,
// blank customers and zero, negative or extreme quantities and prices are the file's data, and the
// segmentation's cleaning step removes (and counts) them later.
import { dateProblem } from './dates.ts';
import { isMissing, quoted, requiredReason } from './missingValues.ts';
import { MAX_INT, type Parsed } from './sales.ts';

export const ONLINE_RETAIL_COLUMNS = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
  'Country',
] as const;

export interface RetailTransaction {
  invoiceNo: string;
  stockCode: string;
  /** Blank in 1,454 lines of the real file. */
  description: string | null;
  quantity: number;
  /** Local time as the file writes it (it has no time zone): 'YYYY-MM-DD HH:MM:SS'. */
  invoiceDate: string;
  unitPrice: number;
  /** Blank in about a quarter of the real file; written `17850.0` by pandas in the daily files. */
  customerId: number | null;
  country: string;
}

/** A cancellation: its invoice number starts with C (its quantity is negative). */
export const isCancellation = (t: Pick<RetailTransaction, 'invoiceNo'>): boolean => t.invoiceNo.startsWith('C');

/** Prices beyond this cannot be stored (numeric(14,4)); the real file's largest is 38,970. */
export const MAX_ABS_UNIT_PRICE = 1e9;
const MAX_TEXT = 500;

class Rejected extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function text(column: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new Rejected(column, requiredReason(column, value));
  const v = value.trim();
  if (v.length > MAX_TEXT)
    throw new Rejected(column, `${column}: ${quoted(v.slice(0, 40))}... is longer than ${MAX_TEXT}`);
  return v;
}

const WHOLE = /^[+-]?\d+(\.0*)?$/;

function quantity(value: string | undefined): number {
  if (isMissing(value)) throw new Rejected('Quantity', requiredReason('Quantity', value));
  const v = value!.trim();
  if (!WHOLE.test(v)) throw new Rejected('Quantity', `Quantity: ${quoted(value)} is not a whole number`);
  const n = Math.trunc(Number(v));
  if (Math.abs(n) > MAX_INT)
    throw new Rejected('Quantity', `Quantity: ${quoted(value)} is out of range (at most ${MAX_INT} either way)`);
  return n === 0 ? 0 : n;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function unitPrice(value: string | undefined): number {
  if (isMissing(value)) throw new Rejected('UnitPrice', requiredReason('UnitPrice', value));
  const v = value!.trim();
  if (!DECIMAL.test(v)) throw new Rejected('UnitPrice', `UnitPrice: ${quoted(value)} is not a decimal number`);
  const n = Number(v);
  if (!(Math.abs(n) <= MAX_ABS_UNIT_PRICE))
    throw new Rejected(
      'UnitPrice',
      `UnitPrice: ${quoted(value)} is out of range (at most ${MAX_ABS_UNIT_PRICE} either way)`,
    );
  return n === 0 ? 0 : n;
}

function customerId(value: string | undefined): number | null {
  if (isMissing(value)) return null;
  const v = value!.trim();
  if (!/^\d+(\.0*)?$/.test(v)) throw new Rejected('CustomerID', `CustomerID: ${quoted(value)} is not a whole number`);
  const n = Math.trunc(Number(v));
  if (n > MAX_INT)
    throw new Rejected('CustomerID', `CustomerID: ${quoted(value)} is out of range (at most ${MAX_INT})`);
  return n;
}

// UCI's export: M/D/YYYY H:MM (12/1/2010 8:26); the daily files: YYYY-MM-DD HH:MM:SS. Seconds are
// optional in both, and an ISO 'T' is taken too.
const UCI_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;
const pad = (n: string) => n.padStart(2, '0');

function invoiceDate(value: string | undefined): string {
  if (isMissing(value)) throw new Rejected('InvoiceDate', requiredReason('InvoiceDate', value));
  const v = value!.trim();
  let parts: [y: string, m: string, d: string, h: string, min: string, s: string] | undefined;
  const uci = UCI_DATE.exec(v);
  if (uci) parts = [uci[3]!, uci[1]!, uci[2]!, uci[4]!, uci[5]!, uci[6] ?? '0'];
  const iso = ISO_DATE_TIME.exec(v);
  if (iso) parts = [iso[1]!, iso[2]!, iso[3]!, iso[4]!, iso[5]!, iso[6] ?? '0'];
  if (!parts)
    throw new Rejected(
      'InvoiceDate',
      `InvoiceDate: ${quoted(value)} is not a date and time like 12/1/2010 8:26 or 2010-12-01 08:26:00`,
    );
  const [y, m, d, h, min, s] = parts;
  const day = `${y}-${pad(m)}-${pad(d)}`;
  const problem = dateProblem(day, 'past');
  if (problem) throw new Rejected('InvoiceDate', `InvoiceDate: ${quoted(value)}: ${problem}`);
  if (Number(h) > 23 || Number(min) > 59 || Number(s) > 59)
    throw new Rejected('InvoiceDate', `InvoiceDate: ${quoted(value)} is not a time of day`);
  return `${day} ${pad(h)}:${min}:${pad(s)}`;
}

/** One record (by column name) as a transaction, or the first column that cannot be read and why. */
export function parseRetailRecord(r: Record<string, string | undefined>): Parsed<RetailTransaction> {
  try {
    const description = r.Description?.trim();
    return {
      ok: true,
      value: {
        invoiceNo: text('InvoiceNo', r.InvoiceNo),
        stockCode: text('StockCode', r.StockCode),
        // Free text: only a blank is missing ("NA" may be a product's name).
        description: description ? description : null,
        quantity: quantity(r.Quantity),
        invoiceDate: invoiceDate(r.InvoiceDate),
        unitPrice: unitPrice(r.UnitPrice),
        customerId: customerId(r.CustomerID),
        country: text('Country', r.Country),
      },
    };
  } catch (e) {
    if (e instanceof Rejected) return { ok: false, field: e.field, reason: e.reason };
    throw e;
  }
}
