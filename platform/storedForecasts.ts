// The 7-day forecasts that training runs and retrains store in `forecast_results`, read back for a
// series: the one its production version made for the latest as-of date, so a run for an older
// date, or a promotion, never leaves a planner looking at another version's or an old week's numbers.
import type pg from 'pg';
import type { ForecastDrivers, ForecastPoint } from '../ml/forecast/types.ts';

export interface StoredForecast {
  runId: string;
  version: number;
  /** With the drivers the engine computed for each day (null: a closed day, or an engine or a run that did not say). */
  points: (ForecastPoint & { drivers: ForecastDrivers | null })[];
}

export async function productionStoredForecast(
  pool: pg.Pool,
  model: string,
  storeId: number,
  product: string,
): Promise<StoredForecast | undefined> {
  // A run's first forecast day follows its as-of date: the latest as-of is the latest first day.
  const { rows } = await pool.query<{
    run_id: string;
    model_version: number;
    forecast_date: string;
    forecast: number;
    lower: number;
    upper: number;
    drivers: ForecastDrivers | null;
  }>(
    `WITH production AS (SELECT version FROM model_versions WHERE model = $1 AND stage = 'production'),
     latest AS (
       SELECT run_id FROM forecast_results
       WHERE store_id = $2 AND product = $3 AND model_version = (SELECT version FROM production)
       GROUP BY run_id ORDER BY min(forecast_date) DESC, max(created_at) DESC LIMIT 1)
     SELECT run_id, model_version, forecast_date, forecast, lower, upper, drivers FROM forecast_results
     WHERE run_id = (SELECT run_id FROM latest) AND store_id = $2 AND product = $3 ORDER BY forecast_date`,
    [model, storeId, product],
  );
  if (!rows[0]) return undefined;
  return {
    runId: rows[0].run_id,
    version: rows[0].model_version,
    points: rows.map((r) => ({
      date: r.forecast_date,
      forecast: r.forecast,
      lower: r.lower,
      upper: r.upper,
      drivers: r.drivers,
    })),
  };
}
