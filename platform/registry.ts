// The model registry in Postgres, for training activities and the API: versions, promotion, the
// forecasts a run writes, and the series it could not fit. Repeating a write (an activity retry, a
// rerun of the same run) updates in place: versions are keyed (model, training_run), failures
// (run_id, store_id, product), and a series' forecasts of a run are replaced whole.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { countPromotion } from './metrics.ts';
import { copyField, inTransaction } from './postgres.ts';
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

export interface SavedResults {
  /** The shard's totals, whether this call or an earlier one wrote them. */
  counts: SavedCounts;
  /** Of those, the versions (fitted, promoted) and failures (unfit) this call wrote first: a retry after a commit writes none. */
  written: Pick<SavedCounts, 'fitted' | 'unfit' | 'promoted'>;
}

const FORECAST_COLUMNS =
  'run_id, store_id, product, forecast_date, forecast, lower, upper, model, model_version, drivers';

/**
 * Registers a run's versions, promotes where the policy said so, and writes forecasts and failures,
 * in one transaction. Forecasts go in by COPY, which cannot upsert: a series whose version this run
 * had already registered (a retried shard) has its forecast rows of the run deleted first. A
 * forecast row is only ever written with its series' version row, so a newly registered version
 * means no rows to replace.
 */
export async function saveTrainingResults(
  pool: pg.Pool,
  runId: string,
  trained: TrainedSeries[],
): Promise<SavedResults> {
  const fitted = trained.filter((t): t is TrainedSeries & { result: { ok: true } } => t.result.ok);
  const unfit = trained.filter((t): t is TrainedSeries & { result: { ok: false } } => !t.result.ok);
  const names = fitted.map((t) => forecastModelName(t.storeId, t.product));
  const promoted = names.filter((_, i) => fitted[i]!.result.promote);
  return inTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO models (name, kind, store_id, product) SELECT name, 'sales_forecast', store_id, product
       FROM unnest($1::text[], $2::int[], $3::text[]) AS i(name, store_id, product) ON CONFLICT (name) DO NOTHING`,
      [names, fitted.map((t) => t.storeId), fitted.map((t) => t.product)],
    );
    await lockModels(client, names);
    // Before the new versions go in: one production version a model.
    await client.query(
      `UPDATE model_versions SET stage = 'archived' WHERE stage = 'production' AND model = ANY($1::text[]) AND training_run <> $2`,
      [promoted, runId],
    );
    // One JSON parameter: cheaper for both sides than arrays of JSON texts cast element by element.
    // A promoted version goes in as production; a repeated save keeps a version's stage unless it promotes.
    // xmax = 0: the row was inserted by this statement, not updated.
    const { rows: versions } = await client.query<{ model: string; version: number; inserted: boolean }>(
      `INSERT INTO model_versions (model, version, stage, engine, params, metrics, training_run)
       SELECT i.model, COALESCE((SELECT max(version) FROM model_versions v WHERE v.model = i.model), 0) + 1, i.stage, i.engine, i.params, i.metrics, $2
       FROM json_to_recordset($1::json) AS i(model text, stage text, engine text, params jsonb, metrics jsonb)
       ON CONFLICT (model, training_run) DO UPDATE SET engine = EXCLUDED.engine, params = EXCLUDED.params, metrics = EXCLUDED.metrics,
         stage = CASE WHEN EXCLUDED.stage = 'production' THEN 'production' ELSE model_versions.stage END
       RETURNING model, version, xmax = 0 AS inserted`,
      [
        JSON.stringify(
          fitted.map((t, i) => ({
            model: names[i],
            stage: t.result.promote ? 'production' : 'staging',
            // Each series' own: in a run with a global model, series serve different engines.
            engine: t.result.model.engine,
            params: t.result.model.params,
            metrics: t.result.metrics,
          })),
        ),
        runId,
      ],
    );
    await announceProductionChanged(client, promoted);
    const versionOf = new Map(versions.map((v) => [v.model, v.version]));
    const inserted = new Set(versions.filter((v) => v.inserted).map((v) => v.model));

    const again = fitted.filter((_, i) => !inserted.has(names[i]!));
    if (again.length)
      await client.query(
        `DELETE FROM forecast_results f USING unnest($2::int[], $3::text[]) AS s(store_id, product)
         WHERE f.store_id = s.store_id AND f.product = s.product AND f.run_id = $1`,
        [runId, again.map((t) => t.storeId), again.map((t) => t.product)],
      );
    // Each series' forecast comes from the version that serves it now: the new one if promoted.
    const run = copyField(runId);
    let rows = '';
    let forecasts = 0;
    fitted.forEach((t, i) => {
      const model = names[i]!;
      const version = t.result.promote || !t.production ? versionOf.get(model)! : t.production.version;
      const series = `${run}\t${t.storeId}\t${copyField(t.product)}\t`;
      const served = `\t${copyField(model)}\t${version}\t`;
      for (const p of t.result.forecast)
        rows += `${series}${p.date}\t${p.forecast}\t${p.lower}\t${p.upper}${served}${copyField(p.drivers ? JSON.stringify(p.drivers) : null)}\n`;
      forecasts += t.result.forecast.length;
    });
    if (rows)
      await pipeline(
        Readable.from([rows]),
        client.query(copyFrom(`COPY forecast_results (${FORECAST_COLUMNS}) FROM STDIN`)),
      );

    const { rows: failures } = await client.query<{ inserted: boolean }>(
      `INSERT INTO training_failures (run_id, store_id, product, reason) SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[])
       ON CONFLICT (run_id, store_id, product) DO UPDATE SET reason = EXCLUDED.reason
       RETURNING xmax = 0 AS inserted`,
      [runId, unfit.map((t) => t.storeId), unfit.map((t) => t.product), unfit.map((t) => t.result.reason)],
    );
    return {
      counts: { fitted: fitted.length, unfit: unfit.length, promoted: promoted.length, forecasts },
      written: {
        fitted: inserted.size,
        unfit: failures.filter((f) => f.inserted).length,
        promoted: promoted.filter((m) => inserted.has(m)).length,
      },
    };
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

/**
 * Makes a version the production one (rolling back is promoting an earlier one); false if it does not
 * exist. Promoting the production version again changes and counts nothing.
 */
export async function promoteVersion(pool: pg.Pool, model: string, version: number): Promise<boolean> {
  const outcome = await inTransaction(pool, async (client) => {
    await lockModels(client, [model]);
    const {
      rows: [target],
    } = await client.query<{ stage: string }>('SELECT stage FROM model_versions WHERE model = $1 AND version = $2', [
      model,
      version,
    ]);
    if (!target) return 'unknown_version';
    if (target.stage === 'production') return 'unchanged';
    await client.query(
      `UPDATE model_versions SET stage = 'archived' WHERE model = $1 AND stage = 'production' AND version <> $2`,
      [model, version],
    );
    await client.query(`UPDATE model_versions SET stage = 'production' WHERE model = $1 AND version = $2`, [
      model,
      version,
    ]);
    await announceProductionChanged(client, [model]);
    return 'changed';
  });
  // Only a promotion that changed the stage counts: promoting the production version again does not.
  if (outcome === 'changed') countPromotion('sales_forecast');
  return outcome !== 'unknown_version';
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
