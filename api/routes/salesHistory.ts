// GET /v1/sales/history: a series' recent days as sold, for the planners' chart.
import { createRoute, z } from '@hono/zod-openapi';
import { STATE_HOLIDAYS } from '../../domain/holidays.ts';
import { latestSeriesWindow } from '../../platform/seriesHistory.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { errors, json, ProductName, router, StoreId } from '../openapi.ts';
import { requireStore } from '../series.ts';

const history = createRoute({
  method: 'get',
  path: '/v1/sales/history',
  tags: ['sales'],
  summary: "A series' last days of sales, up to its latest day",
  request: {
    query: z.object({
      store: StoreId,
      product: ProductName.default('all'),
      days: z.coerce
        .number({ error: 'must be a whole number of days from 1 to 3660' })
        .int()
        .min(1)
        .max(3660)
        .default(56)
        .openapi({ example: '56', type: 'integer' }),
    }),
  },
  responses: {
    200: json(
      z.object({
        storeId: z.number().int(),
        product: z.string(),
        days: z.array(
          z.object({
            date: z.string(),
            sales: z.number(),
            open: z.boolean(),
            promo: z.boolean(),
            stateHoliday: z.enum(STATE_HOLIDAYS),
            schoolHoliday: z.boolean(),
          }),
        ),
      }),
      'oldest first',
    ),
    ...errors(400, 404),
  },
});

export function salesHistoryRoutes({ pool }: ApiDeps) {
  return router().openapi(history, async (c) => {
    const { store, product, days } = c.req.valid('query');
    await requireStore(pool, store);
    const window = await latestSeriesWindow(pool, store, product, days);
    if (!window.length) throw notFound(`store ${store} has no sales for product "${product}"`, 'product');
    return c.json({ storeId: store, product, days: window }, 200);
  });
}
