// Stores, their forecast series, the latest weekly forecasts, and the registry's versions.
import { createRoute, z } from '@hono/zod-openapi';
import { roundedDrivers, wholeUnits } from '../forecastSchemas.ts';
import { DEFAULT_TRAINING, forecastModelName } from '../../contracts/training.ts';
import { addDays } from '../../domain/dates.ts';
import type { ForecastDrivers, ForecastPoint } from '../../ml/forecast/types.ts';
import {
  forecastModelExists,
  forecastProducts,
  modelVersions,
  promoteVersion,
  storesWithForecastProducts,
} from '../../platform/registry.ts';
import { productionStoredForecast } from '../../platform/storedForecasts.ts';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { BEARER, errors, json, ProductName, router, StoreId } from '../openapi.ts';
import { requireStore } from '../series.ts';

const Metrics = z
  .record(z.string(), z.unknown())
  .openapi('BacktestMetrics', { description: 'rmspe, mape, wape, bias, coverage, folds…' });
const SeriesParams = z.object({ store: StoreId, product: ProductName });

const listStores = createRoute({
  method: 'get',
  path: '/v1/stores',
  tags: ['forecasts'],
  summary: 'Stores, with the products that have forecast models',
  responses: {
    200: json(
      z.object({
        stores: z.array(
          z.object({
            store_id: z.number().int(),
            store_type: z.string().nullable(),
            assortment: z.string().nullable(),
            competition_distance: z.number().nullable(),
            promo2: z.boolean().nullable(),
            products: z.array(z.string()),
          }),
        ),
      }),
      'every store',
    ),
    ...errors(),
  },
});

const storeProducts = createRoute({
  method: 'get',
  path: '/v1/stores/{id}/products',
  tags: ['forecasts'],
  summary: "A store's forecast series",
  request: { params: z.object({ id: StoreId }) },
  responses: {
    200: json(z.object({ storeId: z.number().int(), products: z.array(z.string()) }), 'its products'),
    ...errors(400, 404),
  },
});

const latestForecast = createRoute({
  method: 'get',
  path: '/v1/forecasts',
  tags: ['forecasts'],
  summary:
    "A series' 7-day forecast from its production version: the one stored for the latest as-of date, or computed now if that version stored none",
  description:
    'Values are whole units, as in POST /v1/forecast. A version promoted by hand may never have stored a forecast: ' +
    "then the next 7 days after the series' latest day are computed from it (`source: computed`, no runId).",
  request: { query: z.object({ store: StoreId, product: ProductName.default('all') }) },
  responses: {
    200: json(
      z.object({
        storeId: z.number().int(),
        product: z.string(),
        source: z.enum(['stored', 'computed']),
        runId: z.string().nullable(),
        asOf: z.string().openapi({ description: 'the last day of history the forecast follows' }),
        model: z.object({ name: z.string(), version: z.number().int() }),
        forecast: z.array(
          z.object({
            date: z.string(),
            forecast: z.number().int(),
            lower: z.number().int(),
            upper: z.number().int(),
            drivers: z
              .object({ level: z.number(), factors: z.record(z.string(), z.number()) })
              .nullable()
              .openapi({
                description:
                  "the day's drivers as the engine computed them (as POST /v1/forecast's with explain); null on a closed day, or where the engine cannot say",
              }),
          }),
        ),
      }),
      'the forecast and the model version that made it',
    ),
    ...errors(400, 404),
  },
});

const listVersions = createRoute({
  method: 'get',
  path: '/v1/models/{store}/{product}/versions',
  tags: ['models'],
  summary: "A series model's versions, newest first",
  request: { params: SeriesParams },
  responses: {
    200: json(
      z.object({
        model: z.string(),
        versions: z.array(
          z.object({
            version: z.number().int(),
            stage: z.enum(['staging', 'production', 'archived']),
            engine: z.string(),
            metrics: Metrics,
            training_run: z.string(),
            created_at: z.date(),
          }),
        ),
      }),
      'stage, engine and backtest metrics per version',
    ),
    ...errors(400, 404),
  },
});

const promote = createRoute({
  method: 'post',
  path: '/v1/models/{store}/{product}/versions/{version}/promote',
  tags: ['models'],
  security: BEARER,
  summary: 'Make a version the production one (rolling back is promoting an earlier one); admin',
  request: {
    params: SeriesParams.extend({
      version: z
        .string()
        .regex(/^\d{1,9}$/, { error: (i) => `must be a whole number >= 1, got "${String(i.input)}"` })
        .transform(Number)
        .refine((n) => n >= 1, { error: 'must be a whole number >= 1' })
        .openapi({ example: '2' }),
    }),
  },
  responses: {
    200: json(z.object({ model: z.string(), version: z.number().int(), stage: z.literal('production') }), 'promoted'),
    ...errors(400, 401, 403, 404),
  },
});

export function forecastRoutes({ pool, keys, models }: ApiDeps) {
  const knownModel = async (store: number, name: string) => {
    await requireStore(pool, store);
    const model = forecastModelName(store, name);
    if (!(await forecastModelExists(pool, model)))
      throw notFound(
        `store ${store} has no forecast model for product "${name}" (not trained yet, or no such product)`,
      );
    return model;
  };

  return router()
    .openapi(listStores, async (c) => {
      return c.json({ stores: await storesWithForecastProducts(pool) }, 200);
    })
    .openapi(storeProducts, async (c) => {
      const { id } = c.req.valid('param');
      await requireStore(pool, id);
      return c.json({ storeId: id, products: await forecastProducts(pool, id) }, 200);
    })
    .openapi(latestForecast, async (c) => {
      const { store, product } = c.req.valid('query');
      const model = await knownModel(store, product);
      const answer = (
        source: 'stored' | 'computed',
        runId: string | null,
        version: number,
        points: (ForecastPoint & { drivers?: ForecastDrivers | null })[],
      ) =>
        c.json(
          {
            storeId: store,
            product,
            source,
            runId,
            asOf: addDays(points[0]!.date, -1),
            model: { name: model, version },
            forecast: points.map(wholeUnits).map(({ date, forecast, lower, upper, drivers }) => ({
              date,
              forecast,
              lower,
              upper,
              drivers: drivers ? roundedDrivers(drivers) : null,
            })),
          },
          200,
        );
      const stored = await productionStoredForecast(pool, model, store, product);
      if (stored) return answer('stored', stored.runId, stored.version, stored.points);
      const serving = await models.get(store, product);
      if (!serving?.lastDay)
        throw notFound(
          `no forecast yet for store ${store}, product "${product}" (no production version, or no history)`,
        );
      return answer(
        'computed',
        null,
        serving.version,
        serving.forecast(addDays(serving.lastDay, 1), addDays(serving.lastDay, DEFAULT_TRAINING.horizon), undefined, {
          explain: true,
        }),
      );
    })
    .openapi(listVersions, async (c) => {
      const { store, product } = c.req.valid('param');
      const model = await knownModel(store, product);
      return c.json({ model, versions: await modelVersions(pool, model) }, 200);
    })
    .openapi({ ...promote, middleware: [requireRole(keys, 'admin')] as const }, async (c) => {
      const { store, product, version } = c.req.valid('param');
      const model = await knownModel(store, product);
      if (!(await promoteVersion(pool, model, version))) throw notFound(`model ${model} has no version ${version}`);
      return c.json({ model, version, stage: 'production' as const }, 200);
    });
}
