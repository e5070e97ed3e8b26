// Activities of weeklyTraining. The snapshot writes the training window to GCS once, in shards of
// whole series; a shard trains its series in worker threads and writes the results in one
// transaction, so a retried or rerun shard replaces its own rows; the run row is keyed by run id.
import { Context } from '@temporalio/activity';
import { invalidInput } from '../contracts/failures.ts';
import {
  forecastModelName,
  seriesTrainingOptions,
  trainingShardObject,
  type MetricSummary,
  type ShardResult,
  type TrainingCounts,
  type TrainingOptions,
  type TrainingStage,
} from '../contracts/training.ts';
import { engineProblem } from '../ml/forecast/engines.ts';
import type { Deps } from './deps.ts';
import { whileHeartbeating } from './heartbeat.ts';
import { productionVersions, runMetricSummary, saveTrainingResults, type TrainedSeries } from '../platform/registry.ts';
import { recordTrainingRun } from '../platform/runs.ts';
import { seriesWindowLines } from '../platform/seriesHistory.ts';
import { countTrained, metrics, secondsSince } from '../platform/metrics.ts';

// A shard line starts {"store_id" : 1, "product" : "p01", ... as Postgres' json_build_object writes it.
const SERIES_KEY = /^\{"store_id" : (\d+), "product" : ("(?:[^"\\]|\\.)*")/;

const SERIES_PER_TASK = 16;

export function trainingActivities(deps: Deps) {
  return {
    /** Writes the window's series to GCS, `shardSize` per object; returns how many series and shards. */
    snapshotTrainingWindow: (runId: string, o: TrainingOptions): Promise<{ series: number; shards: number }> =>
      whileHeartbeating(async () => {
        // Checked before any row is read (the window's own fields are checked where they are queried).
        const badEngine = engineProblem(o.engine);
        if (badEngine) throw invalidInput('engine', badEngine);
        let series = 0;
        let shards = 0;
        let lines: string[] = [];
        const flush = async () => {
          if (!lines.length) return;
          await deps.store.write(trainingShardObject(runId, shards++), lines.join(''), 'application/x-ndjson');
          lines = [];
        };
        for await (const line of seriesWindowLines(deps.pool, { ...o, planDays: o.horizon })) {
          lines.push(line);
          series++;
          if (lines.length === o.shardSize) await flush();
        }
        await flush();
        return { series, shards };
      }),

    /** Trains a shard's series in worker threads, heartbeating series done, and saves the results. */
    trainShard: (runId: string, shard: number, o: TrainingOptions): Promise<ShardResult> => {
      const ctx = Context.current();
      let done = 0;
      return whileHeartbeating(
        async () => {
          const lines = (await deps.store.read(trainingShardObject(runId, shard)))
            .toString('utf8')
            .split('\n')
            .filter(Boolean);
          // Only the keys are read here; the days are parsed in the worker threads.
          const series = lines.map((line) => {
            const m = SERIES_KEY.exec(line);
            if (!m) throw invalidInput('shard', `shard ${shard} of ${runId} holds a line that is not a series`);
            return { storeId: Number(m[1]), product: JSON.parse(m[2]!) as string, line };
          });
          const production = await productionVersions(deps.pool, series, runId);
          const options = seriesTrainingOptions(o);
          const trained: TrainedSeries[] = [];
          await Promise.all(
            Array.from({ length: Math.ceil(series.length / SERIES_PER_TASK) }, async (_, t) => {
              const batch = series
                .slice(t * SERIES_PER_TASK, (t + 1) * SERIES_PER_TASK)
                .map((s) => ({ ...s, production: production.get(forecastModelName(s.storeId, s.product)) }));
              const fitStart = performance.now();
              const results = await deps.fitPool.run(
                { lines: batch.map((s) => s.line), production: batch.map((s) => s.production), options },
                ctx.cancellationSignal,
              );
              metrics.fitSeconds.observe({ engine: o.engine, kind: 'shard' }, secondsSince(fitStart));
              results.forEach((result, i) =>
                trained.push({
                  storeId: batch[i]!.storeId,
                  product: batch[i]!.product,
                  production: batch[i]!.production,
                  result,
                }),
              );
              done += batch.length;
              ctx.heartbeat({ done });
            }),
          );
          const saved = await saveTrainingResults(deps.pool, runId, o.engine, trained);
          countTrained(o.engine, saved);
          return { series: series.length, ...saved };
        },
        () => ({ done }),
      );
    },

    /** Records the run's state; when it has ended, with the distribution of its versions' backtest metrics. */
    recordTrainingRun: (run: {
      runId: string;
      status: TrainingStage;
      options: TrainingOptions;
      counts: TrainingCounts;
      error?: string;
    }): Promise<MetricSummary> =>
      whileHeartbeating(async () => {
        const ended = run.status === 'done' || run.status === 'failed' || run.status === 'cancelled';
        const metrics = ended ? await runMetricSummary(deps.pool, run.runId) : {};
        await recordTrainingRun(deps.pool, { ...run, metrics });
        return metrics;
      }),
  };
}

export type TrainingActivities = ReturnType<typeof trainingActivities>;
