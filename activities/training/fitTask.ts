// Runs in a worker thread (piscina): parses and trains a batch of series, so the worker's event
// loop (and its heartbeats) never waits on parsing or fitting. Series arrive as their shard lines:
// a string crosses threads far cheaper than the object graph of its days.
import {
  trainSeries,
  type ProductionVersion,
  type SeriesTrainingOptions,
  type SeriesTrainingResult,
} from '../../ml/forecast/trainSeries.ts';
import type { StateHoliday } from '../../domain/holidays.ts';
import type { SeriesDay } from '../../ml/forecast/types.ts';
import { armProphet } from '../../platform/prophetWasm.ts';

armProphet();

/** A shard line: one series, its days as [date, sales, open, promo, state_holiday, school_holiday]. */
export interface ShardSeries {
  store_id: number;
  product: string;
  days: [string, number, boolean, boolean, StateHoliday, boolean][];
}

export interface FitTask {
  lines: string[];
  /** The production version of each line's series, if it has one. */
  production: (ProductionVersion | undefined)[];
  options: SeriesTrainingOptions;
}

export default function fitTask({ lines, production, options }: FitTask): SeriesTrainingResult[] {
  return lines.map((line, i) => {
    const s = JSON.parse(line) as ShardSeries;
    const history: SeriesDay[] = s.days.map(([date, sales, open, promo, stateHoliday, schoolHoliday]) => ({
      date,
      sales,
      open,
      promo,
      stateHoliday,
      schoolHoliday,
    }));
    return trainSeries(history, production[i], options);
  });
}
