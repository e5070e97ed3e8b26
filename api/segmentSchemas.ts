// The seed's /predict request (its clients keep working) and what the segment routes answer.
// A request is one `latest_date` and the transactions of one or more customers; dates are read as
// the seed's pandas reads its clients' dates: a day (2011-12-08), a day and time (2011-12-08 08:26:00,
// ISO 'T' and a final 'Z' taken too) or the UCI export's 12/8/2011 8:26. Times have no time zone.
// Fields the seed ignores (a transaction's stock code, say) are ignored here too.
import { z } from '@hono/zod-openapi';
import { DAY_MS, dateProblem, FIRST_DATE, lastDate, todayUtc } from '../domain/dates.ts';
import type { Purchase } from '../ml/segmentation/features.ts';

const DATE_FORMATS = 'a date like 2011-12-08, 2011-12-08 08:26:00 or 12/8/2011 8:26';
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?Z?)?$/;
const UCI = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const pad = (n: string) => n.padStart(2, '0');
const shown = (input: unknown) => JSON.stringify(input) ?? 'nothing';

/** The last day a date may name (two years ahead), worked out once a day: /predict reads many dates. */
let latest = { utcDay: Number.NaN, day: '' };
function latestDay(): string {
  const utcDay = Math.floor(Date.now() / DAY_MS);
  if (latest.utcDay !== utcDay) latest = { utcDay, day: lastDate('forecast', todayUtc()) };
  return latest.day;
}

/** A seed client's date as epoch milliseconds of its wall-clock time, or why it is not one. */
export function parseSeedDate(value: string): { ok: true; ms: number } | { ok: false; reason: string } {
  const v = value.trim();
  const iso = ISO.exec(v);
  const uci = iso ? undefined : UCI.exec(v);
  const parts = iso
    ? [iso[1]!, iso[2]!, iso[3]!, iso[4], iso[5], iso[6], iso[7]]
    : uci && [uci[3]!, pad(uci[1]!), pad(uci[2]!), uci[4], uci[5], uci[6], undefined];
  if (!parts) return { ok: false, reason: `must be ${DATE_FORMATS}, got ${shown(value)}` };
  const [y, m, d, h = '0', min = '0', s = '0', fraction = ''] = parts;
  const day = `${y}-${m}-${d}`;
  const midnight = Date.UTC(Number(y), Number(m) - 1, Number(d));
  const date = new Date(midnight);
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d))
    return { ok: false, reason: `${shown(value)} is not a real calendar date` };
  // The business's calendar bounds (no placeholder years), with room for a checkout's today.
  if (day < FIRST_DATE || day > latestDay())
    return { ok: false, reason: `${shown(value)}: ${dateProblem(day, 'forecast') ?? 'out of range'}` };
  if (Number(h) > 23 || Number(min) > 59 || Number(s) > 59)
    return { ok: false, reason: `${shown(value)} is not a time of day` };
  const ms = Math.floor(Number(`0${fraction}`) * 1000);
  return { ok: true, ms: midnight + ((Number(h) * 60 + Number(min)) * 60 + Number(s)) * 1000 + ms };
}

const required = (expected: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${expected}, got ${shown(issue.input)}`;

const SeedDate = z.string({ error: required(DATE_FORMATS) }).transform((v, ctx) => {
  const parsed = parseSeedDate(v);
  if (parsed.ok) return parsed.ms;
  ctx.addIssue({ code: 'custom', message: parsed.reason, input: v });
  return z.NEVER;
});

/** An id the seed's clients send as a string or a number (12347 and "12347" are one customer). */
const Id = (example: string) =>
  z
    .union([z.string().trim().min(1, { error: 'must not be empty' }).max(100), z.number().int().nonnegative()], {
      error: required('a non-empty string or a whole number'),
    })
    .openapi({ example });

const Amount = (example: number) => z.number({ error: required('a number') }).openapi({ example });

const SeedTransaction = z.object({
  customer_id: Id('12347'),
  invoice_no: Id('536365'),
  invoice_date: SeedDate.openapi({ example: '2011-12-08', type: 'string' }),
  quantity: Amount(6),
  unit_price: Amount(2.55),
});

export const SeedPredictRequest = z
  .object(
    {
      latest_date: SeedDate.openapi({
        example: '2011-12-11',
        type: 'string',
        description: `the date recency counts to: ${DATE_FORMATS}`,
      }),
      transactions: z
        .array(SeedTransaction, { error: required('a list of transactions') })
        .min(1, { error: 'must list at least one transaction' }),
    },
    { error: required('a JSON object {latest_date, transactions}') },
  )
  .transform((r) => ({
    latestDate: r.latest_date,
    purchases: r.transactions.map((t): Purchase => ({
      customerId: String(t.customer_id),
      invoiceNo: String(t.invoice_no),
      invoiceDate: t.invoice_date,
      quantity: t.quantity,
      unitPrice: t.unit_price,
    })),
    // pandas' groupby orders ids sent as numbers by value, ids sent as strings as text.
    idsAreNumbers: r.transactions.every((t) => typeof t.customer_id === 'number'),
  }))
  .openapi('SeedPredictRequest', {
    description: "The seed's /predict request: one date and the transactions of one or more customers",
  });

export type SeedPredictRequest = z.output<typeof SeedPredictRequest>;

/** The customer the seed answers for when a request holds several: the first in pandas' groupby order. */
export function seedCustomer(request: SeedPredictRequest): string {
  const ids = [...new Set(request.purchases.map((p) => p.customerId))];
  return ids.sort(request.idsAreNumbers ? (a, b) => Number(a) - Number(b) : undefined)[0]!;
}

export const SeedPredictResponse = z
  .object({ 'Predicted Cluster': z.number().int().openapi({ example: 1 }) })
  .openapi('SeedPredictResponse');

export const SeedError = z
  .object({ error: z.string().openapi({ example: 'transactions.0.quantity: must be a number, got "6"' }) })
  .openapi('SeedError', { description: "the seed's error shape: what is wrong, naming the field" });

export const Features = z
  .object({
    recency: z.number().int().openapi({ description: 'days from the last purchase to latest_date' }),
    frequency: z.number().int().openapi({ description: 'distinct invoices' }),
    monetary: z.number().openapi({ description: 'sum of quantity x unit price' }),
    tenure: z.number().int().openapi({ description: 'days from the first purchase to the last' }),
    interpurchaseTime: z.number().openapi({ description: 'tenure / frequency' }),
  })
  .openapi('CustomerFeatures');

export const CustomerPrediction = z
  .object({
    customer_id: z.string(),
    segment: z.number().int(),
    label: z.string().openapi({ example: 'loyal big spenders' }),
    features: Features,
    model_version: z.number().int(),
  })
  .openapi('CustomerPrediction');

const Summary = z.object({
  recency: z.number().nullable(),
  frequency: z.number().nullable(),
  monetary: z.number().nullable(),
  tenure: z.number().nullable(),
});

export const SegmentProfile = z
  .object({
    segment: z.number().int(),
    label: z.string(),
    size: z.number().int(),
    customerShare: z.number(),
    revenueShare: z.number(),
    mean: Summary,
    median: Summary,
  })
  .openapi('SegmentProfile');

export const SegmentationMetrics = z
  .object({
    silhouette: z.number(),
    inertia: z.number(),
    customers: z.number().int(),
    byK: z.array(z.object({ k: z.number().int(), inertia: z.number(), silhouette: z.number() })),
  })
  .openapi('SegmentationMetrics');
