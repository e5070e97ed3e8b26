// Retraining one series now: read its window, fit and backtest, register the version, apply the
// promotion policy and write its forecast. A series fits in about a millisecond with `fast`, so it
// runs here rather than queueing behind a weekly run in the fitting threads.
import type { RetrainInput, RetrainResult } from '../contracts/retrain.ts';
import { DEFAULT_TRAINING, forecastModelName } from '../contracts/training.ts';
import { addDays, datesBetween } from '../domain/dates.ts';
import { trainSeries } from '../ml/forecast/trainSeries.ts';
import type { SeriesDay, StateHoliday } from '../ml/forecast/types.ts';
import { productionVersions, saveTrainingResults } from '../platform/registry.ts';
import type { Deps } from './deps.ts';
import { seriesTrainingOptions } from './training.ts';

export function retrainActivities({ pool }: Deps) {
  return {
    retrainSeriesNow: async (trainingRun: string, input: RetrainInput): Promise<RetrainResult> => {
      const { storeId, product } = input;
      // The series' latest day: the key leads with the date, so this walks back from the newest day
      // and stops at the first match (quick for a series that is current).
      const { rows: [latest] } = await pool.query<{ date: string }>(
        'SELECT date::text FROM sales WHERE store_id = $1 AND product = $2 ORDER BY date DESC LIMIT 1', [storeId, product]);
      if (!latest) return { storeId, product, trained: false, reason: `no sales for store ${storeId}, product "${product}"` };
      const asOf = latest.date;
      // The window's dates are probed in the key, not the whole table scanned.
      const { rows } = await pool.query<{ date: string; sales: number; open: boolean; promo: boolean; state_holiday: StateHoliday; school_holiday: boolean }>(
        `SELECT date::text, sales, open, promo, state_holiday, school_holiday FROM sales
         WHERE date = ANY($1::date[]) AND store_id = $2 AND product = $3 ORDER BY date`,
        [datesBetween(addDays(asOf, 1 - input.windowDays), asOf), storeId, product]);
      const history: SeriesDay[] = rows.map((r) => ({ date: r.date, sales: r.sales, open: r.open, promo: r.promo, stateHoliday: r.state_holiday, schoolHoliday: r.school_holiday }));
      const series = [{ storeId, product }];
      const production = (await productionVersions(pool, series, trainingRun)).get(forecastModelName(storeId, product));
      const result = trainSeries(history, production, seriesTrainingOptions({ ...DEFAULT_TRAINING, engine: input.engine, asOf }));
      if (!result.ok) return { storeId, product, trained: false, reason: result.reason };
      await saveTrainingResults(pool, trainingRun, input.engine, [{ storeId, product, production, result }]);
      const model = forecastModelName(storeId, product);
      const { rows: [saved] } = await pool.query<{ version: number }>('SELECT version FROM model_versions WHERE model = $1 AND training_run = $2', [model, trainingRun]);
      return { storeId, product, trained: true, model, version: saved!.version, promoted: result.promote, promotionReason: result.promotionReason, metrics: result.metrics, asOf };
    },
  };
}

export type RetrainActivities = ReturnType<typeof retrainActivities>;
