// POST /v1/sales/events: producers send sales events (a JSON array, or NDJSON). Each event is
// checked on its own; valid ones are staged for dailyIngest, invalid ones come back with the field
// and the reason, and never block the valid ones in the same batch.
import { createRoute, z } from '@hono/zod-openapi';
import { parseSaleEvent, SaleEventSchema } from '../../contracts/sales.ts';
import { stageSaleEvents } from '../../platform/sales.ts';
import { requireRole, type AuthEnv } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { BEARER, errors, json, router } from '../openapi.ts';
import { readJson } from '../validation.ts';

export const MAX_EVENTS_PER_BATCH = 5_000;

const RowRejection = z.object({ index: z.number().int(), field: z.string(), reason: z.string() });
type RowRejection = z.output<typeof RowRejection>;

// Documented here, checked by hand: each event is checked on its own, so one bad event must not
// fail the batch as a schema check of the whole body would.
const postEvents = createRoute({
  method: 'post',
  path: '/v1/sales/events',
  tags: ['sales'],
  security: BEARER,
  summary: `Stage sales events for the daily ingest (a JSON array or NDJSON, at most ${MAX_EVENTS_PER_BATCH}); write`,
  request: {
    body: {
      required: true,
      content: {
        'application/json': { schema: z.array(SaleEventSchema) },
        'application/x-ndjson': { schema: z.string().openapi({ description: 'one event per line' }) },
      },
    },
  },
  responses: {
    200: json(
      z.object({ accepted: z.number().int(), rejected: z.array(RowRejection) }),
      'valid events staged; each invalid one with its field and reason',
    ),
    ...errors(400, 401, 403, 413),
  },
});

/** NDJSON as one entry per line (blank lines included), so every index is the line's index. */
function parseNdjson(text: string): { events: unknown[]; bad: RowRejection[] } {
  const events: unknown[] = [];
  const bad: RowRejection[] = [];
  for (const [i, line] of text.replace(/\n$/, '').split('\n').entries()) {
    if (!line.trim()) {
      events.push(undefined);
      continue;
    }
    try {
      events.push(JSON.parse(line));
    } catch {
      bad.push({ index: i, field: '(line)', reason: `line ${i + 1} is not valid JSON` });
      events.push(undefined);
    }
  }
  return { events, bad };
}

export function salesRoutes({ pool, keys }: ApiDeps) {
  const routes = router<AuthEnv>();
  routes.openAPIRegistry.registerPath(postEvents);
  return routes.post('/v1/sales/events', requireRole(keys, 'write'), async (c) => {
    const ndjson = (c.req.header('content-type') ?? '').includes('ndjson');
    const { events, bad } = ndjson ? parseNdjson(await c.req.text()) : { events: await readJson(c), bad: [] };
    if (!Array.isArray(events))
      throw new ApiError(400, 'invalid_request', 'body must be a JSON array of events (or NDJSON)', 'body');
    if (events.length === 0) throw new ApiError(400, 'invalid_request', 'the batch is empty', 'body');
    if (events.length > MAX_EVENTS_PER_BATCH) {
      throw new ApiError(
        400,
        'batch_too_large',
        `the batch has ${events.length} events; send at most ${MAX_EVENTS_PER_BATCH} per request`,
        'body',
      );
    }
    const rejected: RowRejection[] = [...bad];
    const accepted: { date: string; payload: unknown }[] = [];
    events.forEach((event, index) => {
      if (event === undefined) return;
      const parsed = parseSaleEvent(event);
      // The event schema holds the date rule (no future, nothing before the business's first date).
      if (!parsed.ok) rejected.push({ index, field: parsed.field, reason: parsed.reason });
      else accepted.push({ date: parsed.value.date, payload: event });
    });
    if (accepted.length) {
      await stageSaleEvents(pool, accepted, `api:${c.get('apiKey').name}`);
    }
    return c.json({ accepted: accepted.length, rejected: rejected.sort((a, b) => a.index - b.index) });
  });
}
