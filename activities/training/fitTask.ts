// Runs in a worker thread (piscina): parses and trains a batch of series, so the worker's event
// loop (and its heartbeats) never waits on parsing or fitting. Series arrive as their shard lines:
// a string crosses threads far cheaper than the object graph of its days. In a run with a global
// model, the batch chooses each series' engine against it (ml/forecast/trainWithGlobal.ts).
import type { StoreAttributes } from '../../ml/forecast/storeFeatures.ts';
import {
  trainSeries,
  type ProductionVersion,
  type SeriesTrainingOptions,
  type SeriesTrainingResult,
} from '../../ml/forecast/trainSeries.ts';
import { trainSeriesWithGlobal, type ChosenTrainingResult } from '../../ml/forecast/trainWithGlobal.ts';
import { globalModels, type GlobalModelTexts } from './globalModels.ts';
import { parseShardLine } from './shardLine.ts';
import { armProphet } from '../../platform/prophetWasm.ts';

armProphet();

export interface FitTask {
  lines: string[];
  /** The production version of each line's series, if it has one. */
  production: (ProductionVersion | undefined)[];
  options: SeriesTrainingOptions;
  /** The run's global model by its artifact URI (absent: a run of one engine). */
  global?: string;
  /** Each line's store's attributes, in a run with a global model. */
  stores?: (StoreAttributes | null)[];
  /** The global models this task's versions need (the run's, production's) as artifact JSON, by URI. */
  globalModels?: GlobalModelTexts;
}

export default function fitTask(task: FitTask): (SeriesTrainingResult | ChosenTrainingResult)[] {
  const { lines, options, global } = task;
  const models = globalModels(task.globalModels ?? {});
  const production = task.production.map((p) => p && { ...p, model: models.attach(p.model) });
  const series = lines.map(parseShardLine);
  if (!global) return series.map((s, i) => trainSeries(s.history, production[i], options, s.plan));
  return trainSeriesWithGlobal(
    series.map((s, i) => ({
      key: `${s.storeId}:${s.product}`,
      history: s.history,
      plan: s.plan,
      store: task.stores?.[i] ?? null,
      production: production[i],
    })),
    options,
    { artifact: global, params: models.params(global) },
  );
}
