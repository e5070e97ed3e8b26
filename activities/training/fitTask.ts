// Runs in a worker thread (piscina): trains a batch of series, so the worker's event loop (and its
// heartbeats) never waits on model fitting.
import { trainSeries, type ProductionVersion, type SeriesTrainingOptions, type SeriesTrainingResult } from '../../ml/forecast/trainSeries.ts';
import type { SeriesDay } from '../../ml/forecast/types.ts';

export interface FitTask {
  series: { history: SeriesDay[]; production?: ProductionVersion }[];
  options: SeriesTrainingOptions;
}

export default function fitTask({ series, options }: FitTask): SeriesTrainingResult[] {
  return series.map((s) => trainSeries(s.history, s.production, options));
}
