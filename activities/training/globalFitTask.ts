// Runs in a worker thread (piscina): fits a weekly run's global model over its series' shard lines,
// so the activity's event loop keeps heartbeating through a fit of tens of seconds. The model goes
// back as JSON, the form its artifact is stored in; its progress (trees done of all, rows, then the
// calibration) goes to `progress` after each tree, for the activity's heartbeats.
import type { MessagePort } from 'node:worker_threads';
import type { SeriesTrainingOptions } from '../../ml/forecast/trainSeries.ts';
import type { StoreAttributes } from '../../ml/forecast/storeFeatures.ts';
import { fitRunGlobal, type GlobalFitProgress } from '../../ml/forecast/trainWithGlobal.ts';
import { UnfitSeriesError } from '../../ml/forecast/types.ts';
import { parseShardLine } from './shardLine.ts';

export interface GlobalFitTask {
  lines: string[];
  /** Attributes by store id (absent: the store file has no row for it). */
  stores: Record<number, StoreAttributes>;
  options: SeriesTrainingOptions;
  progress?: MessagePort;
}

/** The model as JSON, or null when no series can train it. */
export function fitGlobalModel({ lines, stores, options, progress }: GlobalFitTask): string | null {
  const series = lines.map((line) => {
    const s = parseShardLine(line);
    return { key: `${s.storeId}:${s.product}`, history: s.history, store: stores[s.storeId] ?? null };
  });
  try {
    return JSON.stringify(
      fitRunGlobal(series, options, undefined, undefined, (p: GlobalFitProgress) => progress?.postMessage(p)),
    );
  } catch (err) {
    if (err instanceof UnfitSeriesError) return null;
    throw err;
  } finally {
    progress?.close();
  }
}
