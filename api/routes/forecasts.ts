// Stores, their forecast series, the latest weekly forecasts, and the registry's versions.
import { createRoute, z } from '@hono/zod-openapi';
import { forecastModelName } from '../../contracts/training.ts';
import { promoteVersion } from '../../platform/registry.ts';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { BEARER, errors, json, ProductName, router, StoreId } from '../openapi.ts';
import { requireStore } from '../series.ts';

const Metrics = z.record(z.string(), z.unknown()).openapi('BacktestMetrics', { description: 'rmspe, mape, wape, bias, coverage, folds…' });
const SeriesParams = z.object({ store: StoreId, product: ProductName });

const listStores = createRoute({
  method: 'get', path: '/v1/stores', tags: ['forecasts'], summary: 'Stores, with the products that have forecast models',
  responses: {
    200: json(z.object({
      stores: z.array(z.object({
        store_id: z.number().int(), store_type: z.string().nullable(), assortment: z.string().nullable(),
        competition_distance: z.number().nullable(), promo2: z.boolean().nullable(), products: z.array(z.string()),
      })),
    }), 'every store'),
    ...errors(),
  },
});

const storeProducts = createRoute({
  method: 'get', path: '/v1/stores/{id}/products', tags: ['forecasts'], summary: 'A store\'s forecast series',
  request: { params: z.object({ id: StoreId }) },
  responses: { 200: json(z.object({ storeId: z.number().int(), products: z.array(z.string()) }), 'its products'), ...errors(400, 404) },
});

const latestForecast = createRoute({
  method: 'get', path: '/v1/forecasts', tags: ['forecasts'], summary: 'The latest weekly 7-day forecast of a series (stored)',
  request: { query: z.object({ store: StoreId, product: ProductName.default('all') }) },
  responses: {
    200: json(z.object({
      storeId: z.number().int(), product: z.string(), runId: z.string(), model: z.object({ name: z.string(), version: z.number().int() }),
      forecast: z.array(z.object({ date: z.string(), forecast: z.number(), lower: z.number(), upper: z.number() })),
    }), 'the forecast and the model version that made it'),
    ...errors(400, 404),
  },
});

const listVersions = createRoute({
  method: 'get', path: '/v1/models/{store}/{product}/versions', tags: ['models'], summary: 'A series model\'s versions, newest first',
  request: { params: SeriesParams },
  responses: {
    200: json(z.object({
      model: z.string(),
      versions: z.array(z.object({
        version: z.number().int(), stage: z.enum(['staging', 'production', 'archived']), engine: z.string(), metrics: Metrics,
        training_run: z.string(), created_at: z.date(),
      })),
    }), 'stage, engine and backtest metrics per version'),
    ...errors(400, 404),
  },
});

const promote = createRoute({
  method: 'post', path: '/v1/models/{store}/{product}/versions/{version}/promote', tags: ['models'], security: BEARER,
  summary: 'Make a version the production one (rolling back is promoting an earlier one); admin',
  request: {
    params: SeriesParams.extend({
      version: z.string().regex(/^\d{1,9}$/, { error: (i) => `must be a whole number >= 1, got "${String(i.input)}"` }).transform(Number)
        .refine((n) => n >= 1, { error: 'must be a whole number >= 1' }).openapi({ example: '2' }),
    }),
  },
  responses: { 200: json(z.object({ model: z.string(), version: z.number().int(), stage: z.literal('production') }), 'promoted'), ...errors(400, 401, 403, 404) },
});

export function forecastRoutes({ pool, keys }: ApiDeps) {
  const knownModel = async (store: number, name: string) => {
    await requireStore(pool, store);
    const model = forecastModelName(store, name);
    const { rowCount } = await pool.query('SELECT 1 FROM models WHERE name = $1', [model]);
    if (!rowCount) throw new ApiError(404, 'not_found', `store ${store} has no forecast model for product "${name}" (not trained yet, or no such product)`);
    return model;
  };

  return router()
    .openapi(listStores, async (c) => {
      const { rows } = await pool.query(
        `SELECT s.store_id, s.store_type, s.assortment, s.competition_distance, s.promo2,
           COALESCE(array_agg(m.product ORDER BY m.product) FILTER (WHERE m.product IS NOT NULL), '{}') AS products
         FROM stores s LEFT JOIN models m ON m.store_id = s.store_id AND m.kind = 'sales_forecast'
         GROUP BY s.store_id ORDER BY s.store_id`);
      return c.json({ stores: rows }, 200);
    })
    .openapi(storeProducts, async (c) => {
      const { id } = c.req.valid('param');
      await requireStore(pool, id);
      const { rows } = await pool.query<{ product: string }>(
        `SELECT product FROM models WHERE kind = 'sales_forecast' AND store_id = $1 ORDER BY product`, [id]);
      return c.json({ storeId: id, products: rows.map((r) => r.product) }, 200);
    })
    .openapi(latestForecast, async (c) => {
      const { store, product } = c.req.valid('query');
      const model = await knownModel(store, product);
      // The latest run that forecast this series, whole.
      const { rows } = await pool.query<{ run_id: string; forecast_date: string; forecast: number; lower: number; upper: number; model_version: number }>(
        `SELECT run_id, forecast_date, forecast, lower, upper, model_version FROM forecast_results
         WHERE store_id = $1 AND product = $2 AND run_id = (
           SELECT run_id FROM forecast_results WHERE store_id = $1 AND product = $2 ORDER BY created_at DESC, run_id DESC LIMIT 1)
         ORDER BY forecast_date`, [store, product]);
      if (!rows[0]) throw new ApiError(404, 'not_found', `no forecast yet for store ${store}, product "${product}"`);
      return c.json({
        storeId: store, product, runId: rows[0].run_id, model: { name: model, version: rows[0].model_version },
        forecast: rows.map((r) => ({ date: r.forecast_date, forecast: r.forecast, lower: r.lower, upper: r.upper })),
      }, 200);
    })
    .openapi(listVersions, async (c) => {
      const { store, product } = c.req.valid('param');
      const model = await knownModel(store, product);
      const { rows } = await pool.query(
        `SELECT version, stage, engine, metrics, training_run, created_at FROM model_versions WHERE model = $1 ORDER BY version DESC`, [model]);
      return c.json({ model, versions: rows }, 200);
    })
    .openapi({ ...promote, middleware: [requireRole(keys, 'admin')] as const }, async (c) => {
      const { store, product, version } = c.req.valid('param');
      const model = await knownModel(store, product);
      if (!(await promoteVersion(pool, model, version))) throw new ApiError(404, 'not_found', `model ${model} has no version ${version}`);
      return c.json({ model, version, stage: 'production' as const }, 200);
    });
}
