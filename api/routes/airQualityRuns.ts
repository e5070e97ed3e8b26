// Air-quality runs as the page shows them: each airQualityTraining run's test month scored (the
// model's RMSE and MAE beside the same-hour-yesterday baseline), its window, row counts, the search's
// choice and the version it registered; and the test months pooled as one test set.
import { createRoute, z } from '@hono/zod-openapi';
import { AIR_QUALITY_MODEL } from '../../contracts/airQuality.ts';
import { pooledTestMonths } from '../../domain/airQuality.ts';
import { airQualityTestMonths } from '../../platform/airQuality.ts';
import type { ApiDeps } from '../deps.ts';
import { errors, json, Limit, router } from '../openapi.ts';

const Month = z.string().openapi({ example: '2004-06' });
const Scores = z.object({ rmse: z.number(), mae: z.number() });

const TestMonth = z
  .object({
    runId: z.string().openapi({ description: 'the airQualityTraining workflow id' }),
    firstMonth: Month.openapi({ description: 'training from this month' }),
    testMonth: Month.openapi({ description: 'to the month before this one, which is tested' }),
    advanced: z.boolean().openapi({ description: 'false: no month was new, the same window was retrained' }),
    trainRows: z.number().int(),
    testRows: z.number().int(),
    version: z.number().int(),
    label: z.string().openapi({ example: '20040701_210000', description: "the version's US/Eastern label" }),
    promoted: z.boolean(),
    learner: z.string().openapi({ example: 'forest' }),
    featureSet: z
      .string()
      .nullable()
      .openapi({ description: '`sensors` (metal-oxide sensors, T, RH, AH) or `all` (the analyzers too)' }),
    params: z.record(z.string(), z.unknown()).openapi({ description: "the chosen learner's hyperparameters" }),
    model: Scores.openapi({ description: "the version's CO(GT) RMSE and MAE on the test month" }),
    baseline: Scores.extend({
      fallbacks: z.number().int().openapi({ description: "test rows without the day before's reading" }),
    }).openapi({ description: 'CO(GT) at the same hour the day before, on the same rows' }),
    recordedAt: z.string(),
  })
  .openapi('AirQualityTestMonth');

const Pooled = z
  .object({
    months: z.array(Month),
    rows: z.number().int(),
    model: Scores,
    baseline: Scores,
  })
  .nullable()
  .openapi('AirQualityPooled', {
    description: "the listed test months as one test set, each month's latest run; null without a run",
  });

const list = createRoute({
  method: 'get',
  path: '/v1/air-quality-runs',
  tags: ['models'],
  summary: "airQualityTraining runs, newest first: each test month's scores beside the baseline, and pooled",
  request: { query: z.object({ limit: Limit }) },
  responses: {
    200: json(z.object({ runs: z.array(TestMonth), pooled: Pooled }), 'runs and their pooled scores'),
    ...errors(400),
  },
});

export function airQualityRunRoutes({ pool }: ApiDeps) {
  return router().openapi(list, async (c) => {
    const runs = await airQualityTestMonths(pool, AIR_QUALITY_MODEL, c.req.valid('query').limit);
    return c.json({ runs, pooled: pooledTestMonths(runs) }, 200);
  });
}
