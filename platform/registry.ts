// The model registry in Postgres, for training activities and the API: versions, promotion, the
// forecasts a run writes, and the series it could not fit. Every write is keyed so that repeating
// it (an activity retry, a rerun of the same run) updates in place: (model, training_run) for
// versions, (run_id, store_id, product, forecast_date) for forecasts, (run_id, store_id, product)
// for failures.
import type pg from 'pg';
import { inTransaction } from './postgres.ts';
import { forecastModelName, type MetricSummary } from '../contracts/training.ts';
import type { ProductionVersion, SeriesTrainingResult } from '../ml/forecast/trainSeries.ts';

export interface SeriesKey {
  storeId: number;
  product: string;
}

/**
 * The Postgres channel on which the registry announces that models' production versions changed:
 * a JSON array of model names, or "*" for all of them. Sent inside the changing transaction, so
 * listeners (the API's model cache) hear it only once the change is committed.
 */
export const PRODUCTION_CHANGED_CHANNEL = 'retailflow_production_changed';
// NOTIFY payloads must stay under 8,000 bytes.
const MAX_PAYLOAD = 7_900;

async function announceProductionChanged(client: pg.PoolClient, models: string[]): Promise<void> {
  if (!models.length) return;
  const list = JSON.stringify(models);
  await client.query('SELECT pg_notify($1, $2)', [
    PRODUCTION_CHANGED_CHANNEL,
    list.length <= MAX_PAYLOAD ? list : '"*"',
  ]);
}

/** A model's production version, if it has one. */
export async function productionVersion(
  pool: pg.Pool,
  model: string,
): Promise<{ version: number; engine: string; params: unknown } | undefined> {
  const {
    rows: [row],
  } = await pool.query<{ version: number; engine: string; params: unknown }>(
    `SELECT version, engine, params FROM model_versions WHERE model = $1 AND stage = 'production'`,
    [model],
  );
  return row;
}

/** The production versions of these series other than the given run's own. */
export async function productionVersions(
  pool: pg.Pool,
  series: SeriesKey[],
  runId: string,
): Promise<Map<string, ProductionVersion>> {
  const { rows } = await pool.query<{
    model: string;
    version: number;
    engine: string;
    params: unknown;
    rmspe: number | null;
  }>(
    `SELECT model, version, engine, params, (metrics->>'rmspe')::float8 AS rmspe FROM model_versions
     WHERE stage = 'production' AND model = ANY($1::text[]) AND training_run <> $2`,
    [series.map((s) => forecastModelName(s.storeId, s.product)), runId],
  );
  return new Map(
    rows.map((r) => [r.model, { version: r.version, model: { engine: r.engine, params: r.params }, rmspe: r.rmspe }]),
  );
}

/**
 * Holds the models' rows until the transaction ends, so that writers of the same model (a weekly
 * shard and a retrain, two promotions) take turns: each numbers its version after the other's.
 * In name order, so two writers of several models never wait on each other in a cycle.
 */
async function lockModels(client: pg.PoolClient, models: string[]): Promise<void> {
  await client.query('SELECT 1 FROM models WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE', [models]);
}

export interface TrainedSeries extends SeriesKey {
  result: SeriesTrainingResult;
  production?: ProductionVersion;
}

export interface SavedCounts {
  fitted: number;
  unfit: number;
  promoted: number;
  forecasts: number;
}

/** Registers a run's versions, promotes where the policy said so, and writes forecasts and failures, in one transaction. */
export async function saveTrainingResults(
  pool: pg.Pool,
  runId: string,
  trained: TrainedSeries[],
): Promise<SavedCounts> {
  const fitted = trained.filter((t): t is TrainedSeries & { result: { ok: true } } => t.result.ok);
  const unfit = trained.filter((t): t is TrainedSeries & { result: { ok: false } } => !t.result.ok);
  const names = fitted.map((t) => forecastModelName(t.storeId, t.product));
  return inTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO models (name, kind, store_id, product) SELECT name, 'sales_forecast', store_id, product
       FROM unnest($1::text[], $2::int[], $3::text[]) AS i(name, store_id, product) ON CONFLICT (name) DO NOTHING`,
      [names, fitted.map((t) => t.storeId), fitted.map((t) => t.product)],
    );
    await lockModels(client, names);
    const { rows: versions } = await client.query<{ model: string; version: number }>(
      `INSERT INTO model_versions (model, version, stage, engine, params, metrics, training_run)
       SELECT i.model, COALESCE((SELECT max(version) FROM model_versions v WHERE v.model = i.model), 0) + 1, 'staging', i.engine, i.params, i.metrics, $5
       FROM unnest($1::text[], $2::jsonb[], $3::jsonb[], $4::text[]) AS i(model, params, metrics, engine)
       ON CONFLICT (model, training_run) DO UPDATE SET engine = EXCLUDED.engine, params = EXCLUDED.params, metrics = EXCLUDED.metrics
       RETURNING model, version`,
      [
        names,
        fitted.map((t) => JSON.stringify(t.result.model.params)),
        fitted.map((t) => JSON.stringify(t.result.metrics)),
        // Each series' own: in a run with a global model, series serve different engines.
        fitted.map((t) => t.result.model.engine),
        runId,
      ],
    );
    const versionOf = new Map(versions.map((v) => [v.model, v.version]));
    const promoted = fitted.filter((t) => t.result.promote).map((t) => forecastModelName(t.storeId, t.product));
    await client.query(
      `UPDATE model_versions SET stage = 'archived' WHERE stage = 'production' AND model = ANY($1::text[]) AND training_run <> $2`,
      [promoted, runId],
    );
    await client.query(
      `UPDATE model_versions SET stage = 'production' WHERE model = ANY($1::text[]) AND training_run = $2`,
      [promoted, runId],
    );
    await announceProductionChanged(client, promoted);

    // Each series' forecast comes from the version that serves it now: the new one if promoted.
    const points = fitted.flatMap((t) => {
      const model = forecastModelName(t.storeId, t.product);
      const version = t.result.promote || !t.production ? versionOf.get(model)! : t.production.version;
      return t.result.forecast.map((p) => ({ ...p, storeId: t.storeId, product: t.product, model, version }));
    });
    await client.query(
      `INSERT INTO forecast_results (run_id, store_id, product, forecast_date, forecast, lower, upper, model, model_version, drivers)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::date[], $5::float8[], $6::float8[], $7::float8[], $8::text[], $9::int[], $10::jsonb[])
       ON CONFLICT (run_id, store_id, product, forecast_date) DO UPDATE SET forecast = EXCLUDED.forecast, lower = EXCLUDED.lower,
         upper = EXCLUDED.upper, model = EXCLUDED.model, model_version = EXCLUDED.model_version, drivers = EXCLUDED.drivers,
         created_at = now()`,
      [
        runId,
        points.map((p) => p.storeId),
        points.map((p) => p.product),
        points.map((p) => p.date),
        points.map((p) => p.forecast),
        points.map((p) => p.lower),
        points.map((p) => p.upper),
        points.map((p) => p.model),
        points.map((p) => p.version),
        points.map((p) => (p.drivers ? JSON.stringify(p.drivers) : null)),
      ],
    );
    await client.query(
      `INSERT INTO training_failures (run_id, store_id, product, reason) SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[])
       ON CONFLICT (run_id, store_id, product) DO UPDATE SET reason = EXCLUDED.reason`,
      [runId, unfit.map((t) => t.storeId), unfit.map((t) => t.product), unfit.map((t) => t.result.reason)],
    );
    return { fitted: fitted.length, unfit: unfit.length, promoted: promoted.length, forecasts: points.length };
  });
}

/** The version a run registered for a model, if it registered one. */
export async function registeredVersion(pool: pg.Pool, model: string, runId: string): Promise<number | undefined> {
  const {
    rows: [row],
  } = await pool.query<{ version: number }>(
    'SELECT version FROM model_versions WHERE model = $1 AND training_run = $2',
    [model, runId],
  );
  return row?.version;
}

/** Makes a version the production one (rolling back is promoting an earlier one); false if it does not exist. */
export async function promoteVersion(pool: pg.Pool, model: string, version: number): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    await lockModels(client, [model]);
    const { rowCount } = await client.query('SELECT 1 FROM model_versions WHERE model = $1 AND version = $2', [
      model,
      version,
    ]);
    if (!rowCount) {
      return false;
    }
    await client.query(
      `UPDATE model_versions SET stage = 'archived' WHERE model = $1 AND stage = 'production' AND version <> $2`,
      [model, version],
    );
    await client.query(`UPDATE model_versions SET stage = 'production' WHERE model = $1 AND version = $2`, [
      model,
      version,
    ]);
    await announceProductionChanged(client, [model]);
    return true;
  });
}

export async function forecastModelExists(pool: pg.Pool, model: string): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM models WHERE name = $1', [model]);
  return Boolean(rowCount);
}

export interface StoreWithProducts {
  store_id: number;
  store_type: string | null;
  assortment: string | null;
  competition_distance: number | null;
  promo2: boolean | null;
  /** The products that have a forecast model at this store. */
  products: string[];
}

/** Every store, with its forecast series' products. */
export async function storesWithForecastProducts(pool: pg.Pool): Promise<StoreWithProducts[]> {
  const { rows } = await pool.query<StoreWithProducts>(
    `SELECT s.store_id, s.store_type, s.assortment, s.competition_distance, s.promo2,
       COALESCE(array_agg(m.product ORDER BY m.product) FILTER (WHERE m.product IS NOT NULL), '{}') AS products
     FROM stores s LEFT JOIN models m ON m.store_id = s.store_id AND m.kind = 'sales_forecast'
     GROUP BY s.store_id ORDER BY s.store_id`,
  );
  return rows;
}

/** The products of a store's forecast models. */
export async function forecastProducts(pool: pg.Pool, storeId: number): Promise<string[]> {
  const { rows } = await pool.query<{ product: string }>(
    `SELECT product FROM models WHERE kind = 'sales_forecast' AND store_id = $1 ORDER BY product`,
    [storeId],
  );
  return rows.map((r) => r.product);
}

export interface ModelVersion {
  version: number;
  stage: 'staging' | 'production' | 'archived';
  engine: string;
  metrics: Record<string, unknown>;
  training_run: string;
  created_at: Date;
}

/** A model's versions, newest first. */
export async function modelVersions(pool: pg.Pool, model: string): Promise<ModelVersion[]> {
  const { rows } = await pool.query<ModelVersion>(
    `SELECT version, stage, engine, metrics, training_run, created_at FROM model_versions WHERE model = $1 ORDER BY version DESC`,
    [model],
  );
  return rows;
}

/** The distribution of a run's versions' backtest metrics (rmspe, wape, coverage): p10, p50, p90 and mean. */
export async function runMetricSummary(pool: pg.Pool, runId: string): Promise<MetricSummary> {
  const { rows } = await pool.query<{ metric: keyof MetricSummary; p: number[]; mean: number }>(
    `SELECT m.metric, percentile_cont(ARRAY[0.1, 0.5, 0.9]) WITHIN GROUP (ORDER BY (v.metrics->>m.metric)::float8) AS p,
       avg((v.metrics->>m.metric)::float8) AS mean
     FROM model_versions v CROSS JOIN unnest(ARRAY['rmspe', 'wape', 'coverage']) AS m(metric)
     WHERE v.training_run = $1 AND v.metrics->>m.metric IS NOT NULL GROUP BY m.metric`,
    [runId],
  );
  const metrics: MetricSummary = {};
  for (const r of rows) metrics[r.metric] = { p10: r.p[0]!, p50: r.p[1]!, p90: r.p[2]!, mean: r.mean };
  return metrics;
}
