// Customer segments: assign customers from their transactions (any number at once), read the
// production segmentation model (its segments, profiles and metrics), a sample of its customers for
// the page's plot, and one customer's stored segment.
import { createRoute, z } from '@hono/zod-openapi';
import { SEGMENTATION_MODEL } from '../../contracts/segmentation.ts';
import {
  assignedCustomers,
  productionCustomer,
  productionCustomerSample,
  productionSegmentation,
} from '../../platform/segmentRegistry.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { errors, json, router } from '../openapi.ts';
import { NO_SEGMENTATION_MODEL, predictCustomers, productionSegments } from '../segmentPredictions.ts';
import {
  CustomerPrediction,
  Features,
  SeedPredictRequest,
  SegmentationMetrics,
  SegmentProfile,
} from '../segmentSchemas.ts';

const MAX_SAMPLE = 5000;

const predictMany = createRoute({
  method: 'post',
  path: '/v1/segments/predict',
  tags: ['segments'],
  summary: 'The segment of every customer in the transactions, with their features and the segment label',
  description: "The seed's /predict request; one answer per customer, ordered by customer id.",
  request: { body: { ...json(SeedPredictRequest, 'a date and transactions'), required: true } },
  responses: {
    200: json(z.object({ customers: z.array(CustomerPrediction) }), 'one answer per customer'),
    ...errors(400, 409, 413),
  },
});

const current = createRoute({
  method: 'get',
  path: '/v1/segments',
  tags: ['segments'],
  summary: "The production segmentation model: its segments' profiles and labels, and its metrics",
  responses: {
    200: json(
      z.object({
        model: z.string().openapi({ example: SEGMENTATION_MODEL }),
        version: z.number().int(),
        runId: z.string(),
        createdAt: z.date(),
        k: z.number().int(),
        features: z.array(z.string()),
        snapshotDate: z.string().openapi({ description: 'the date recency counted from in the run' }),
        asOf: z.string().nullable(),
        metrics: SegmentationMetrics,
        segments: z.array(SegmentProfile),
      }),
      'the production version',
    ),
    ...errors(409),
  },
});

const sample = createRoute({
  method: 'get',
  path: '/v1/segments/customers',
  tags: ['segments'],
  summary: "A sample of the production version's customers with their features and segment (the same on every call)",
  request: {
    query: z.object({
      limit: z
        .string()
        .optional()
        .transform((v) => (v === undefined ? 1000 : Number(v)))
        .refine((n) => Number.isInteger(n) && n >= 1 && n <= MAX_SAMPLE, {
          error: `must be a whole number from 1 to ${MAX_SAMPLE}`,
        })
        .openapi({ example: '1000', description: `how many: 1 to ${MAX_SAMPLE}, default 1000` }),
    }),
  },
  responses: {
    200: json(
      z.object({
        version: z.number().int(),
        total: z.number().int().openapi({ description: 'customers the version assigned' }),
        customers: z.array(Features.extend({ customerId: z.string(), segment: z.number().int() })),
      }),
      'the sample',
    ),
    ...errors(400, 409),
  },
});

const customer = createRoute({
  method: 'get',
  path: '/v1/customers/{id}/segment',
  tags: ['segments'],
  summary: "A customer's segment in the production version, with their features when stored",
  request: { params: z.object({ id: z.string().min(1).max(100).openapi({ example: '12347' }) }) },
  responses: {
    200: json(
      z.object({
        customerId: z.string(),
        segment: z.number().int(),
        label: z.string(),
        modelVersion: z.number().int(),
        runId: z.string(),
        features: Features.nullable().openapi({ description: 'as the run computed them; null if no longer stored' }),
      }),
      'the customer',
    ),
    ...errors(400, 404, 409),
  },
});

export function segmentRoutes({ pool, models }: ApiDeps) {
  const noModel = () => new ApiError(409, 'no_segmentation_model', NO_SEGMENTATION_MODEL);
  return router()
    .openapi(predictMany, async (c) => {
      const request = c.req.valid('json');
      const serving = await productionSegments(models);
      return c.json({ customers: predictCustomers(serving, request) }, 200);
    })
    .openapi(current, async (c) => {
      const production = await productionSegmentation(pool);
      if (!production) throw noModel();
      const { params, metrics } = production;
      return c.json(
        {
          model: SEGMENTATION_MODEL,
          version: production.version,
          runId: production.runId,
          createdAt: production.createdAt,
          k: params.k,
          features: params.features,
          snapshotDate: params.snapshotDate,
          asOf: params.asOf,
          metrics,
          segments: params.profiles,
        },
        200,
      );
    })
    .openapi(sample, async (c) => {
      const { limit } = c.req.valid('query');
      const production = await models.segmentation();
      if (!production) throw noModel();
      const [customers, total] = await Promise.all([
        productionCustomerSample(pool, limit),
        assignedCustomers(pool, production.version),
      ]);
      return c.json({ version: production.version, total, customers }, 200);
    })
    .openapi(customer, async (c) => {
      const { id } = c.req.valid('param');
      const found = await productionCustomer(pool, id);
      if (found) return c.json(found, 200);
      if (!(await models.segmentation())) throw noModel();
      throw notFound(`customer ${id} is in no segment of the production segmentation model`, 'id');
    });
}
