// RFMT features per customer, as the seed's training and /predict compute them. Days are whole
// days rounded down (pandas' Timedelta.days), so a purchase at 23:30 seen the next morning is
// 0 days old; a snapshot before the last purchase gives a negative recency, as in the seed.
// Monetary is summed with Kahan compensation in row order, as pandas' groupby sum does.

export interface Purchase {
  customerId: string;
  invoiceNo: string;
  /** Epoch milliseconds. */
  invoiceDate: number;
  quantity: number;
  unitPrice: number;
}

export interface CustomerFeatures {
  customerId: string;
  /** Days from the last purchase to the snapshot date. */
  recency: number;
  /** Distinct invoices. */
  frequency: number;
  /** Sum of quantity x unit price. */
  monetary: number;
  /** Days from the first purchase to the last. */
  tenure: number;
  /** tenure / frequency. */
  interpurchaseTime: number;
}

export type FeatureName = Exclude<keyof CustomerFeatures, 'customerId'>;

/** The four columns the seed scales and clusters (tenure enters only through interpurchaseTime). */
export const SEED_FEATURES: readonly FeatureName[] = ['recency', 'frequency', 'monetary', 'interpurchaseTime'];

const DAY_MS = 86_400_000;

export const wholeDays = (from: number, to: number) => Math.floor((to - from) / DAY_MS);

/**
 * One row per customer, ordered by customer id. `snapshot` (epoch ms) defaults to the latest
 * invoice date among the purchases, as in the seed's training; its /predict passes `latest_date`.
 */
export function customerFeatures(purchases: readonly Purchase[], snapshot?: number): CustomerFeatures[] {
  if (purchases.length === 0) throw new Error('customerFeatures: no purchases');
  const groups = new Map<
    string,
    { first: number; last: number; invoices: Set<string>; sum: number; compensation: number }
  >();
  let latest = -Infinity;
  purchases.forEach((p, i) => {
    for (const field of ['invoiceDate', 'quantity', 'unitPrice'] as const)
      if (!Number.isFinite(p[field]))
        throw new Error(`purchase ${i} (customer ${p.customerId}): ${field} is ${p[field]}, not a number`);
    let g = groups.get(p.customerId);
    if (!g) {
      g = { first: p.invoiceDate, last: p.invoiceDate, invoices: new Set(), sum: 0, compensation: 0 };
      groups.set(p.customerId, g);
    }
    g.first = Math.min(g.first, p.invoiceDate);
    g.last = Math.max(g.last, p.invoiceDate);
    g.invoices.add(p.invoiceNo);
    const y = p.quantity * p.unitPrice - g.compensation;
    const t = g.sum + y;
    g.compensation = t - g.sum - y;
    g.sum = t;
    latest = Math.max(latest, p.invoiceDate);
  });
  if (snapshot !== undefined && !Number.isFinite(snapshot))
    throw new Error(`customerFeatures: snapshot is ${snapshot}, not a date`);
  const asOf = snapshot ?? latest;
  return [...groups.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((customerId) => {
      const g = groups.get(customerId)!;
      const tenure = wholeDays(g.first, g.last);
      return {
        customerId,
        recency: wholeDays(g.last, asOf),
        frequency: g.invoices.size,
        monetary: g.sum,
        tenure,
        interpurchaseTime: tenure / g.invoices.size,
      };
    });
}

export const featureMatrix = (rows: readonly CustomerFeatures[], names: readonly FeatureName[] = SEED_FEATURES) =>
  rows.map((r) => names.map((name) => r[name]));
