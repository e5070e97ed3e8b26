// The seed's cleaning of Online Retail transactions, in its order, as the reference the BigQuery
// SQL is checked against: blank customers, invoices containing "C" (cancellations), quantity > 0,
// unit price > 0, exact duplicate rows (first kept), then quantity outliers and, on what is left,
// unit price outliers outside [Q1 - 1.5 IQR, Q3 + 1.5 IQR] (bounds inclusive; quartiles as pandas).
import { quantileSorted } from './quantile.ts';

export interface RetailTransaction {
  invoiceNo: string;
  stockCode: string;
  description: string | null;
  quantity: number;
  /** Epoch milliseconds (UTC wall clock of the file's local time). */
  invoiceDate: number;
  unitPrice: number;
  /** null or blank: no customer. */
  customerId: string | null;
  country: string;
}

/** A row that passed cleaning: it has a customer. */
export type CleanTransaction = RetailTransaction & { customerId: string };

export interface IqrBounds {
  q1: number;
  q3: number;
  lower: number;
  upper: number;
}

export interface CleaningCounts {
  read: number;
  blankCustomer: number;
  cancelled: number;
  nonPositiveQuantity: number;
  nonPositivePrice: number;
  duplicates: number;
  quantityOutliers: number;
  priceOutliers: number;
  kept: number;
}

export interface CleaningResult {
  rows: CleanTransaction[];
  counts: CleaningCounts;
  quantityBounds: IqrBounds | null;
  priceBounds: IqrBounds | null;
}

export function cleanTransactions(input: readonly RetailTransaction[]): CleaningResult {
  input.forEach(checkNumbers);
  let rows = input.filter((r): r is CleanTransaction => r.customerId !== null && r.customerId.trim() !== '');
  const blankCustomer = input.length - rows.length;
  const step = (keep: (r: CleanTransaction) => boolean): number => {
    const before = rows.length;
    rows = rows.filter(keep);
    return before - rows.length;
  };
  const cancelled = step((r) => !r.invoiceNo.includes('C'));
  const nonPositiveQuantity = step((r) => r.quantity > 0);
  const nonPositivePrice = step((r) => r.unitPrice > 0);
  const seen = new Set<string>();
  const duplicates = step((r) => {
    const key = rowKey(r);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const quantityBounds = iqrBounds(rows.map((r) => r.quantity));
  const quantityOutliers = quantityBounds ? step((r) => within(r.quantity, quantityBounds)) : 0;
  const priceBounds = iqrBounds(rows.map((r) => r.unitPrice));
  const priceOutliers = priceBounds ? step((r) => within(r.unitPrice, priceBounds)) : 0;
  return {
    rows,
    counts: {
      read: input.length,
      blankCustomer,
      cancelled,
      nonPositiveQuantity,
      nonPositivePrice,
      duplicates,
      quantityOutliers,
      priceOutliers,
      kept: rows.length,
    },
    quantityBounds,
    priceBounds,
  };
}

/** null for no values (nothing is then an outlier). */
export function iqrBounds(values: readonly number[]): IqrBounds | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const iqr = q3 - q1;
  return { q1, q3, lower: q1 - 1.5 * iqr, upper: q3 + 1.5 * iqr };
}

const within = (v: number, b: IqrBounds) => v >= b.lower && v <= b.upper;

// Every column, as pandas' drop_duplicates() compares them (a missing description equals only another missing one).
const rowKey = (r: RetailTransaction) =>
  JSON.stringify([
    r.invoiceNo,
    r.stockCode,
    r.description,
    r.quantity,
    r.invoiceDate,
    r.unitPrice,
    r.customerId,
    r.country,
  ]);

function checkNumbers(r: RetailTransaction, i: number): void {
  for (const field of ['quantity', 'invoiceDate', 'unitPrice'] as const) {
    if (!Number.isFinite(r[field]))
      throw new Error(`transaction ${i} (invoice ${r.invoiceNo}): ${field} is ${r[field]}, not a number`);
  }
}
