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
import type { GivenDay, SeriesDay } from '../../ml/forecast/types.ts';
import { armProphet } from '../../platform/prophetWasm.ts';

armProphet();

/**
 * A shard line: one series, its days as [date, sales, open, promo, state_holiday, school_holiday],
 * and the planned days of its forecast, if any, as [date, open, promo, state_holiday, school_holiday].
 */
export interface ShardSeries {
  store_id: number;
  product: string;
  days: [string, number, boolean, boolean, StateHoliday, boolean][];
  plan?: [string, boolean, boolean, StateHoliday, boolean][] | null;
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
    const plan = s.plan?.map(([date, open, promo, stateHoliday, schoolHoliday]): GivenDay => ({
      date,
      open,
      promo,
      stateHoliday,
      schoolHoliday,
      source: 'plan',
    }));
    return trainSeries(history, production[i], options, plan && new Map(plan.map((d) => [d.date, d])));
  });
}
