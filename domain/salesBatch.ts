// Validation of one day's staged sales events: shape, business rules and duplicates. Pure, so the
// activity that runs it stays a thin read-validate-write and the rules are unit-tested here. The
// event's shape is the caller's parser (contracts/sales.ts parseSaleEvent): domain/ knows no schema library.
import { breaksRule, saleKey, sameSale, type Parsed, type RuleContext, type SaleRow } from './sales.ts';

export interface StagedEvent {
  eventId: number;
  payload: unknown;
}
export interface Rejection {
  line: number;
  reason: string;
  raw: string;
}
export interface ValidatedBatch {
  accepted: SaleRow[];
  rejected: Rejection[];
}

export function validateSalesBatch(
  events: StagedEvent[],
  ctx: RuleContext,
  parse: (payload: unknown) => Parsed<SaleRow>,
): ValidatedBatch {
  const rejected: Rejection[] = [];
  const reject = (e: StagedEvent, reason: string) =>
    rejected.push({ line: e.eventId, reason, raw: JSON.stringify(e.payload) });
  const byKey = new Map<string, { event: StagedEvent; row: SaleRow }[]>();
  for (const event of events) {
    const parsed = parse(event.payload);
    if (!parsed.ok) {
      reject(event, `${parsed.field}: ${parsed.reason}`);
      continue;
    }
    const broken = breaksRule(parsed.value, ctx);
    if (broken) {
      reject(event, broken);
      continue;
    }
    const key = saleKey(parsed.value);
    const group = byKey.get(key);
    if (group) group.push({ event, row: parsed.value });
    else byKey.set(key, [{ event, row: parsed.value }]);
  }
  const accepted: SaleRow[] = [];
  for (const group of byKey.values()) {
    const [first, ...rest] = group;
    if (rest.every((g) => sameSale(g.row, first!.row))) {
      // A resend of the same values: keep one, and say which event it repeated.
      accepted.push(first!.row);
      for (const g of rest) reject(g.event, `duplicate of event ${first!.event.eventId} (identical values)`);
    } else {
      // Two different truths for one key: landing either would be a guess.
      const ids = group.map((g) => g.event.eventId).join(', ');
      const { storeId, product, date } = first!.row;
      for (const g of group)
        reject(g.event, `conflicting values for store ${storeId}, product ${product}, date ${date} in events ${ids}`);
    }
  }
  return { accepted, rejected: rejected.sort((a, b) => a.line - b.line) };
}
