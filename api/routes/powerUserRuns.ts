// Power-user runs (seed 003): start powerUserTraining (write key) on the GA4-like events in Postgres
// or the imported Online Retail transactions, with the label's cutoff, window and threshold. The
// search runs as its tabularTraining child, followed like any tabular run (GET /v1/tabular-runs/:id).
import { createRoute, z } from '@hono/zod-openapi';
import {
  POWER_USER_RUN_PREFIX,
  POWER_USER_SOURCES,
  powerUserTrainingChildId,
  type PowerUserTrainingInput,
} from '../../contracts/powerUsers.ts';
import { isCalendarDate } from '../../domain/dates.ts';
import { LEARNERS, type LearnerName } from '../../ml/tabular/learners.ts';
import { DEFAULT_POWER_USER_LABELING } from '../../ml/tabular/presets/powerUser.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { powerUserTraining } from '../../workflows/powerUserTraining.ts';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { BEARER, errors, json, router, StartedSchema } from '../openapi.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';
import { POWER_USER_MODEL } from '../../contracts/powerUsers.ts';
import { newRunId } from '../runIds.ts';

const shown = (input: unknown) => JSON.stringify(input) ?? 'nothing';
const BINARY_LEARNERS = (Object.keys(LEARNERS) as LearnerName[]).filter((l) => LEARNERS[l].tasks.includes('binary'));
const whole = (min: number, max: number) =>
  z
    .number({ error: (i) => `must be a whole number from ${min} to ${max}, got ${shown(i.input)}` })
    .int({ error: (i) => `must be a whole number from ${min} to ${max}, got ${shown(i.input)}` })
    .min(min, { error: (i) => `must be a whole number from ${min} to ${max}, got ${shown(i.input)}` })
    .max(max, { error: (i) => `must be a whole number from ${min} to ${max}, got ${shown(i.input)}` });

const PowerUserRunBody = z
  .object({
    events: z.enum(POWER_USER_SOURCES, {
      error: (i) => `must be ${POWER_USER_SOURCES.join(' or ')}, got ${shown(i.input)}`,
    }),
    labeling: z
      .object({
        cutoff: z
          .string({ error: (i) => `must be a date YYYY-MM-DD, got ${shown(i.input)}` })
          .refine(isCalendarDate, { error: (i) => `must be a date YYYY-MM-DD, got ${shown(i.input)}` })
          .openapi({
            example: '2020-12-01',
            description: 'features from events before it; the label from the window after it',
          }),
        windowDays: whole(1, 3660).default(DEFAULT_POWER_USER_LABELING.windowDays),
        threshold: z
          .number({ error: (i) => `must be a number of dollars >= 0, got ${shown(i.input)}` })
          .min(0, { error: (i) => `must be a number of dollars >= 0, got ${shown(i.input)}` })
          .default(DEFAULT_POWER_USER_LABELING.threshold)
          .openapi({ description: 'spend in the window above this makes a power user (USD)' }),
      })
      .strict(),
    search: z
      .object({
        concurrency: whole(1, 64).optional(),
        folds: whole(2, 20).optional(),
        learners: z
          .array(
            z.enum(BINARY_LEARNERS as [LearnerName, ...LearnerName[]], {
              error: (i) => `must be one of ${BINARY_LEARNERS.join(', ')}, got ${shown(i.input)}`,
            }),
          )
          .min(1, { error: 'must name at least one learner' })
          .optional(),
      })
      .strict()
      .optional()
      .openapi({ description: "the power-user grid's defaults otherwise: knn, logistic, forest, boosting; 4 folds" }),
    promotionMargin: z
      .number({ error: (i) => `must be a number from 0 to below 1, got ${shown(i.input)}` })
      .min(0, { error: (i) => `must be a number from 0 to below 1, got ${shown(i.input)}` })
      .lt(1, { error: (i) => `must be a number from 0 to below 1, got ${shown(i.input)}` })
      .optional(),
  })
  .strict()
  .openapi('PowerUserTrainingInput');

const start = createRoute({
  method: 'post',
  path: '/v1/power-user-runs',
  tags: ['tabular'],
  security: BEARER,
  summary:
    'Start powerUserTraining: the events to BigQuery, one labelled row per user, then the power-user search (write)',
  request: {
    body: { ...json(PowerUserRunBody, 'where the events come from and how users are labelled'), required: true },
  },
  responses: {
    202: json(
      StartedSchema.extend({
        tabularRun: z
          .string()
          .openapi({ description: 'the search, followed at GET /v1/tabular-runs/{id} once it starts' }),
      }),
      'started',
    ),
    ...errors(400, 401, 403),
  },
});

export function powerUserRunRoutes({ cfg, temporal, keys }: ApiDeps) {
  return router().openapi({ ...start, middleware: [requireRole(keys, 'write')] as const }, async (c) => {
    const input: PowerUserTrainingInput = c.req.valid('json');
    const workflowId = newRunId(POWER_USER_RUN_PREFIX);
    const handle = await temporal.workflow.start<typeof powerUserTraining>('powerUserTraining', {
      workflowId,
      taskQueue: cfg.temporal.taskQueues.training,
      args: [input],
      typedSearchAttributes: runSearchAttributes({ pipeline: 'power-user', model: POWER_USER_MODEL }),
    });
    return c.json(
      {
        workflowId,
        runId: handle.firstExecutionRunId,
        temporalUrl: workflowUrl(cfg.temporal, workflowId, handle.firstExecutionRunId),
        tabularRun: powerUserTrainingChildId(workflowId),
      },
      202,
    );
  });
}
