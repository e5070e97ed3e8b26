// Stores, their forecast series, the latest weekly forecasts, and the registry's versions.
import { Hono } from 'hono';
import { forecastModelName } from '../../contracts/training.ts';
import { promoteVersion } from '../../platform/registry.ts';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { parseProduct, parseStoreId, requireStore } from '../series.ts';

export function forecastRoutes({ cfg, pool }: ApiDeps) {
  const admin = requireRole(cfg.api.keys, 'admin');
  const knownModel = async (store: number, name: string) => {
    await requireStore(pool, store);
    const model = forecastModelName(store, name);
    const { rowCount } = await pool.query('SELECT 1 FROM models WHERE name = $1', [model]);
    if (!rowCount) throw new ApiError(404, 'not_found', `store ${store} has no forecast model for product "${name}" (not trained yet, or no such product)`);
    return model;
  };

  return new Hono()
    .get('/v1/stores', async (c) => {
      const { rows } = await pool.query(
        `SELECT s.store_id, s.store_type, s.assortment, s.competition_distance, s.promo2,
           COALESCE(array_agg(m.product ORDER BY m.product) FILTER (WHERE m.product IS NOT NULL), '{}') AS products
         FROM stores s LEFT JOIN models m ON m.store_id = s.store_id AND m.kind = 'sales_forecast'
         GROUP BY s.store_id ORDER BY s.store_id`);
      return c.json({ stores: rows });
    })
    .get('/v1/stores/:id/products', async (c) => {
      const id = parseStoreId(c.req.param('id'), 'id');
      await requireStore(pool, id);
      const { rows } = await pool.query<{ product: string }>(
        `SELECT product FROM models WHERE kind = 'sales_forecast' AND store_id = $1 ORDER BY product`, [id]);
      return c.json({ storeId: id, products: rows.map((r) => r.product) });
    })
    .get('/v1/forecasts', async (c) => {
      const store = parseStoreId(c.req.query('store'), 'store');
      const name = parseProduct(c.req.query('product') ?? 'all', 'product');
      const model = await knownModel(store, name);
      // The latest run that forecast this series, whole.
      const { rows } = await pool.query<{ run_id: string; forecast_date: string; forecast: number; lower: number; upper: number; model_version: number }>(
        `SELECT run_id, forecast_date, forecast, lower, upper, model_version FROM forecast_results
         WHERE store_id = $1 AND product = $2 AND run_id = (
           SELECT run_id FROM forecast_results WHERE store_id = $1 AND product = $2 ORDER BY created_at DESC, run_id DESC LIMIT 1)
         ORDER BY forecast_date`, [store, name]);
      if (!rows.length) throw new ApiError(404, 'not_found', `no forecast yet for store ${store}, product "${name}"`);
      return c.json({
        storeId: store, product: name, runId: rows[0]!.run_id, model: { name: model, version: rows[0]!.model_version },
        forecast: rows.map((r) => ({ date: r.forecast_date, forecast: r.forecast, lower: r.lower, upper: r.upper })),
      });
    })
    .get('/v1/models/:store/:product/versions', async (c) => {
      const model = await knownModel(parseStoreId(c.req.param('store'), 'store'), parseProduct(c.req.param('product'), 'product'));
      const { rows } = await pool.query(
        `SELECT version, stage, engine, metrics, training_run, created_at FROM model_versions WHERE model = $1 ORDER BY version DESC`, [model]);
      return c.json({ model, versions: rows });
    })
    .post('/v1/models/:store/:product/versions/:version/promote', admin, async (c) => {
      const model = await knownModel(parseStoreId(c.req.param('store'), 'store'), parseProduct(c.req.param('product'), 'product'));
      const version = Number(c.req.param('version'));
      if (!Number.isInteger(version) || version < 1) throw new ApiError(400, 'invalid_request', `version must be a whole number >= 1, got "${c.req.param('version')}"`, 'version');
      if (!(await promoteVersion(pool, model, version))) throw new ApiError(404, 'not_found', `model ${model} has no version ${version}`);
      return c.json({ model, version, stage: 'production' });
    });
}
