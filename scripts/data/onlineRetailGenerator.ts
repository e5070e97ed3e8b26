// Online Retail data (the UCI file's columns and formats), deterministic by seed: customers of six
// archetypes buying by their rhythms over the real file's year, and the real file's dirt at its
// rates, as exact counts (retailDirt): blank customers, cancellations, exact duplicate lines, zero
// prices, and a few extreme quantities and prices (80,995 units and its cancellation, a 38,970
// manual charge and its cancellation, an "Adjust bad debt" of -11,062.06).
import { Random } from './generator.ts';
import {
  ARCHETYPES,
  catalogue,
  customers,
  guestCountry,
  laterDay,
  purchaseDays,
  seasonalDay,
  timeOfDay,
  type Customer,
  type Product,
  LAST_DAY,
} from './onlineRetailPeople.ts';

export interface RetailGeneratorOptions {
  seed: number;
  customers: number;
  /** Data lines (without the header); the real file has 541,909. */
  rows: number;
}

export const DEFAULT_RETAIL_OPTIONS: RetailGeneratorOptions = { seed: 42, customers: 4372, rows: 541_909 };
export const MIN_RETAIL_ROWS = 1000;

/** The real file's shares of each kind of dirt, applied to the lines asked for. */
export const RETAIL_DIRT_SHARES = { blankCustomer: 0.249, cancellation: 0.0171, duplicate: 0.0097, zeroPrice: 0.0046 };
/** The extreme lines: 2 purchases, their 2 cancellations and 1 bad-debt adjustment. */
export const EXTREME_LINES = 5;

/** How many lines of each kind of dirt `rows` lines hold (cancellations and blanks include the extremes'). */
export function retailDirt(rows: number) {
  const count = (share: number) => Math.round(rows * share);
  return {
    blankCustomer: count(RETAIL_DIRT_SHARES.blankCustomer),
    cancellation: count(RETAIL_DIRT_SHARES.cancellation),
    duplicate: count(RETAIL_DIRT_SHARES.duplicate),
    zeroPrice: count(RETAIL_DIRT_SHARES.zeroPrice),
  };
}

export interface RetailLine {
  invoiceNo: string;
  stockCode: string;
  description: string;
  quantity: number;
  /** 'YYYY-MM-DD HH:MM' */
  at: string;
  unitPrice: number;
  customerId: number | null;
  country: string;
}

interface Invoice {
  at: string;
  customer: Customer | null;
  lines: number;
  kind: 'sale' | 'cancel' | 'extreme';
  /** For a sale: how many of its lines a later cancellation takes back; for a cancellation: its sale. */
  cancelled?: number;
  sale?: Invoice;
  taken?: { product: Product; quantity: number }[];
  extreme?: Omit<RetailLine, 'invoiceNo' | 'at' | 'customerId' | 'country'>[];
}

/** Line counts scaled to add up to `target` exactly (each at least 1; invoices dropped if need be). */
function fitLines(invoices: Invoice[], target: number, rng: Random): Invoice[] {
  if (target < invoices.length) invoices = invoices.slice(0, target);
  const sum = invoices.reduce((s, i) => s + i.lines, 0);
  for (const inv of invoices) inv.lines = Math.max(1, Math.round((inv.lines * target) / sum));
  let diff = target - invoices.reduce((s, i) => s + i.lines, 0);
  while (diff !== 0) {
    const inv = invoices[rng.int(0, invoices.length - 1)]!;
    if (diff > 0) {
      inv.lines++;
      diff--;
    } else if (inv.lines > 1) {
      inv.lines--;
      diff++;
    }
  }
  return invoices;
}

const basket = (rng: Random, base: number) => Math.max(1, Math.round(base * Math.exp(rng.normal(0, 0.6))));

function planInvoices(o: RetailGeneratorOptions, rng: Random, buyers: Customer[]): Invoice[] {
  const dirt = retailDirt(o.rows);
  const extremes = o.rows >= MIN_RETAIL_ROWS ? EXTREME_LINES : 0;
  const guestLines = dirt.blankCustomer - (extremes ? 1 : 0);
  const cancelLines = dirt.cancellation - (extremes ? 2 : 0);
  const saleLines = o.rows - dirt.blankCustomer - dirt.cancellation - dirt.duplicate - (extremes ? 2 : 0);
  let sales: Invoice[] = buyers.flatMap((c) =>
    purchaseDays(rng, c.archetype).map((day) => ({
      at: `${day} ${timeOfDay(rng)}`,
      customer: c,
      lines: basket(rng, ARCHETYPES[c.archetype].lines),
      kind: 'sale' as const,
    })),
  );
  // Shuffled before fitting, so invoices dropped for a tiny --rows are anyone's.
  for (let i = sales.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [sales[i], sales[j]] = [sales[j]!, sales[i]!];
  }
  sales = fitLines(sales, saleLines, rng);
  const guests = fitLines(
    Array.from({ length: Math.max(1, Math.ceil(guestLines / 60)) }, () => ({
      at: `${seasonalDay(rng)} ${timeOfDay(rng)}`,
      customer: null,
      lines: basket(rng, 60),
      kind: 'sale' as const,
    })),
    guestLines,
    rng,
  );
  const cancels: Invoice[] = [];
  for (let left = cancelLines, tries = 0; left > 0 && tries < sales.length * 4; tries++) {
    const sale = sales[rng.int(0, sales.length - 1)]!;
    if (sale.cancelled) continue;
    const lines = Math.min(left, sale.lines, 1 + Math.floor(-Math.log(1 - rng.next()) * 2));
    sale.cancelled = lines;
    left -= lines;
    const day = laterDay(rng, sale.at.slice(0, 10), 30);
    const at = day === sale.at.slice(0, 10) ? sale.at.slice(0, 11) + '23:59' : `${day} ${timeOfDay(rng)}`;
    cancels.push({ at, customer: sale.customer, lines, kind: 'cancel', sale });
  }
  return [...sales, ...guests, ...cancels, ...extremeInvoices(rng, extremes, sales)].sort((a, b) =>
    a.at < b.at ? -1 : a.at > b.at ? 1 : 0,
  );
}

function extremeInvoices(rng: Random, extremes: number, sales: Invoice[]): Invoice[] {
  if (!extremes) return [];
  const buyer = sales.find((s) => s.customer?.archetype === 'wholesale')?.customer ?? sales[0]!.customer;
  const line = (stockCode: string, description: string, quantity: number, unitPrice: number) => [
    { stockCode, description, quantity, unitPrice },
  ];
  const day = (d: string) => `${d} ${timeOfDay(rng)}`;
  return [
    {
      at: `${LAST_DAY} 09:15`,
      customer: buyer,
      lines: 1,
      kind: 'extreme',
      extreme: line('23843', 'PAPER CRAFT , LITTLE BIRDIE', 80995, 2.08),
    },
    {
      at: `${LAST_DAY} 09:27`,
      customer: buyer,
      lines: 1,
      kind: 'extreme',
      extreme: line('23843', 'PAPER CRAFT , LITTLE BIRDIE', -80995, 2.08),
    },
    { at: day('2011-06-10'), customer: buyer, lines: 1, kind: 'extreme', extreme: line('M', 'Manual', 1, 38970) },
    { at: day('2011-06-13'), customer: buyer, lines: 1, kind: 'extreme', extreme: line('M', 'Manual', -1, 38970) },
    {
      at: day('2011-08-12'),
      customer: null,
      lines: 1,
      kind: 'extreme',
      extreme: line('B', 'Adjust bad debt', 1, -11062.06),
    },
  ];
}

/**
 * The lines of a generated file in invoice order; `onLine` gets each. Exact duplicates are drawn
 * among the customers' sale lines and zero prices among the guests' (where the real file has
 * them), each by selection sampling so their counts are exact.
 */
export function generateRetail(o: RetailGeneratorOptions, onLine: (line: RetailLine) => void): number {
  if (o.rows < MIN_RETAIL_ROWS) throw new Error(`rows must be at least ${MIN_RETAIL_ROWS}, got ${o.rows}`);
  const rng = new Random(o.seed);
  const products = catalogue(rng, 4000);
  const invoices = planInvoices(o, rng, customers(rng, o.customers));
  const dirt = retailDirt(o.rows);
  const pickers = {
    duplicate: chooser(
      rng,
      dirt.duplicate,
      invoices.filter((i) => i.kind === 'sale' && i.customer).reduce((s, i) => s + i.lines, 0),
    ),
    zeroPrice: chooser(
      rng,
      dirt.zeroPrice,
      invoices.filter((i) => i.kind === 'sale' && !i.customer).reduce((s, i) => s + i.lines, 0),
    ),
  };
  let written = 0;
  invoices.forEach((inv, n) => {
    const no = String(536365 + n);
    const head = {
      at: inv.at,
      customerId: inv.customer?.id ?? null,
      country: inv.customer?.country ?? guestCountry(rng),
    };
    const emit = (l: Omit<RetailLine, 'at' | 'customerId' | 'country'>) => {
      onLine({ ...head, ...l });
      written++;
    };
    if (inv.kind === 'extreme') {
      const prefix = inv.extreme![0]!.quantity < 0 ? 'C' : inv.customer ? '' : 'A';
      for (const l of inv.extreme!) emit({ invoiceNo: prefix + no, ...l });
    } else if (inv.kind === 'cancel') {
      for (const t of inv.sale!.taken!)
        emit({
          invoiceNo: `C${no}`,
          stockCode: t.product.code,
          description: t.product.description,
          quantity: -t.quantity,
          unitPrice: t.product.price,
        });
    } else {
      const quantities = inv.customer ? ARCHETYPES[inv.customer.archetype].quantities : [1, 2, 3, 6, 12];
      const seen = new Set<number>();
      if (inv.cancelled) inv.taken = [];
      while (seen.size < inv.lines) {
        // Popular products sell more (a skewed draw); a basket holds each product once.
        const p = Math.floor(products.length * rng.next() ** 2);
        if (seen.has(p)) continue;
        seen.add(p);
        const product = products[p]!;
        const quantity = quantities[rng.int(0, quantities.length - 1)]!;
        if (inv.taken && inv.taken.length < inv.cancelled!) inv.taken.push({ product, quantity });
        const zero = !inv.customer && pickers.zeroPrice();
        const line = {
          invoiceNo: no,
          stockCode: product.code,
          description: product.description,
          quantity,
          unitPrice: zero ? 0 : product.price,
        };
        emit(line);
        if (inv.customer && pickers.duplicate()) emit(line);
      }
    }
  });
  return written;
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

const csvText = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

export const RETAIL_HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

/** A line as the UCI export writes it (12/1/2010 8:26, 17850) or as Spark's daily files do (2010-12-01 08:26:00, 17850.0). */
export function retailCsvLine(l: RetailLine, format: 'uci' | 'daily'): string {
  const [y, m, d] = l.at.slice(0, 10).split('-');
  const [h, min] = l.at.slice(11).split(':');
  const date = format === 'uci' ? `${Number(m)}/${Number(d)}/${y} ${Number(h)}:${min}` : `${l.at}:00`;
  const customer = l.customerId === null ? '' : format === 'uci' ? String(l.customerId) : `${l.customerId}.0`;
  return `${l.invoiceNo},${l.stockCode},${csvText(l.description)},${l.quantity},${date},${l.unitPrice},${customer},${l.country}`;
}
