// The power-user model served from raw events: each user's events become their feature row by the
// TypeScript definitions (ml/tabular/presets/powerUser.ts, the same as the training table's BigQuery
// SQL), then the production version answers the probability and the label at its threshold.
import { createRoute, z } from '@hono/zod-openapi';
import { POWER_USER_MODEL } from '../../contracts/powerUsers.ts';
import { isCalendarDate } from '../../domain/dates.ts';
import { labelsOf } from '../../ml/tabular/evaluate.ts';
import { powerUserFeatures, type PowerUserEvent } from '../../ml/tabular/presets/powerUser.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { errors, json, router } from '../openapi.ts';
import { predictInstances, servingTabular } from '../tabularPredictions.ts';
import { MAX_INSTANCES } from '../tabularSchemas.ts';

const shown = (input: unknown) => JSON.stringify(input) ?? 'nothing';
const TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?$/;
const text = z.string().max(200).nullable().optional();

const Event = z
  .object({
    event_id: z.string().min(1).max(200),
    session_id: z.string().min(1).max(200),
    event_time: z
      .string({ error: (i) => `must be a local time YYYY-MM-DDTHH:MM[:SS], got ${shown(i.input)}` })
      .regex(TIME, { error: (i) => `must be a local time YYYY-MM-DDTHH:MM[:SS], got ${shown(i.input)}` })
      .openapi({ example: '2020-11-20T10:15:00' }),
    event_name: z.enum(['session_start', 'page_view', 'add_to_cart', 'purchase'], {
      error: (i) => `must be session_start, page_view, add_to_cart or purchase, got ${shown(i.input)}`,
    }),
    items: z.number().int().min(0).default(0),
    revenue: z
      .number({ error: (i) => `must be a number of dollars >= 0, got ${shown(i.input)}` })
      .min(0, { error: (i) => `must be a number of dollars >= 0, got ${shown(i.input)}` })
      .default(0),
    traffic_source: text,
    device: text,
    country: text,
  })
  .strict();

const UsersPredictRequest = z
  .object({
    cutoff: z
      .string({ error: (i) => `must be a date YYYY-MM-DD, got ${shown(i.input)}` })
      .refine(isCalendarDate, { error: (i) => `must be a date YYYY-MM-DD, got ${shown(i.input)}` })
      .openapi({ example: '2020-12-01', description: 'the features count the events before this day only' }),
    users: z
      .array(z.object({ user_id: z.string().min(1).max(200), events: z.array(Event).min(1).max(10_000) }).strict())
      .min(1)
      .max(MAX_INSTANCES),
  })
  .strict()
  .openapi('PowerUserEventsPredictRequest');

const UsersPredictResponse = z
  .object({
    users: z.array(
      z.object({
        user_id: z.string(),
        probability: z.number(),
        label: z.union([z.literal(0), z.literal(1)]),
        features: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
      }),
    ),
    threshold: z.number(),
    model: z.string(),
    model_version: z.number().int(),
    model_label: z.string(),
  })
  .openapi('PowerUserEventsPredictResponse');

const predictUsers = createRoute({
  method: 'post',
  path: `/v1/models/${POWER_USER_MODEL}/users/predict`,
  tags: ['models'],
  summary:
    "Power users from their events: each user's features as the training table builds them, then the production version",
  description:
    "Each user's events before `cutoff` become their features (sessions, page views, add-to-carts, purchases, items, revenue, " +
    'average basket, order value, cart conversion, active days, days since the last event, tenure, first source, device and country); ' +
    "the answer is the probability of spending more than the labelling threshold in the window after the cutoff, the label at the version's " +
    'decision threshold, and the features used. 400 naming `users.<i>.events` for a user with no event before the cutoff.',
  request: { body: { ...json(UsersPredictRequest, 'the users and their events'), required: true } },
  responses: { 200: json(UsersPredictResponse, 'one answer per user, in order'), ...errors(400, 404, 409) },
});

export function powerUserPredictRoutes({ pool, models }: ApiDeps) {
  return router().openapi(predictUsers, async (c) => {
    const { cutoff, users } = c.req.valid('json');
    const rows = users.map((user, i) => {
      const events: PowerUserEvent[] = user.events.map((e) => {
        const [, day, minutes, seconds] = TIME.exec(e.event_time)!;
        return {
          eventId: e.event_id,
          userId: user.user_id,
          sessionId: e.session_id,
          eventTime: `${day}T${minutes}${seconds ?? ':00'}`,
          eventName: e.event_name,
          items: e.items,
          revenue: e.revenue.toFixed(6),
          trafficSource: e.traffic_source ?? null,
          device: e.device ?? null,
          country: e.country ?? null,
        };
      });
      const row = powerUserFeatures(user.user_id, events, cutoff);
      if (!row)
        throw new ApiError(
          400,
          'invalid_request',
          `users.${i}.events: no event before the cutoff ${cutoff}`,
          `users.${i}.events`,
        );
      return row;
    });
    const serving = await servingTabular(models, pool, POWER_USER_MODEL);
    const probabilities = predictInstances(serving, rows, (row, column) =>
      column ? `users.${row}.features.${column}` : `users.${row}`,
    );
    const labels = labelsOf(serving.fitted, probabilities);
    return c.json(
      {
        users: rows.map((features, i) => ({
          user_id: features.user_id,
          probability: probabilities[i]!,
          label: labels[i] as 0 | 1,
          features: { ...features },
        })),
        threshold: serving.fitted.threshold ?? 0.5,
        model: serving.name,
        model_version: serving.version,
        model_label: serving.label,
      },
      200,
    );
  });
}
