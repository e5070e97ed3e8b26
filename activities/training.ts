// Activities of weeklyTraining. The plan cuts the training window into shards of whole stores; a
// shard snapshots its stores' window to GCS once, trains its series in worker threads and writes the
// results in one transaction, so a retried or rerun shard replaces its own rows; the run row is
// keyed by run id.
import { Context } from '@temporalio/activity';
import { invalidInput } from '../contracts/failures.ts';
import {
  forecastModelName,
  globalModelObject,
  seriesTrainingOptions,
  shardStoreRanges,
  trainingShardObject,
  trainingShardPlanObject,
  type ShardStores,
  type ChoiceCandidate,
  type GlobalModelSummary,
  type MetricSummary,
  type ShardResult,
  type TrainingCounts,
  type TrainingOptions,
  type TrainingStage,
} from '../contracts/training.ts';
import { engineProblem } from '../ml/forecast/engines.ts';
import type { GlobalParams } from '../ml/forecast/global.ts';
import { globalArtifactOf } from '../ml/forecast/globalVersion.ts';
import { chosenCounts, type GlobalFitProgress } from '../ml/forecast/trainWithGlobal.ts';
import type { Deps } from './deps.ts';
import { whileHeartbeating } from './heartbeat.ts';
import { seriesKey } from './training/shardLine.ts';
import { globalModelText } from '../platform/globalModels.ts';
import { productionVersions, runMetricSummary, saveTrainingResults, type TrainedSeries } from '../platform/registry.ts';
import { storeAttributesById } from '../platform/sales.ts';
import { recordTrainingRun } from '../platform/runs.ts';
import { seriesWindowLines, windowSeriesPerStore } from '../platform/seriesHistory.ts';
import { countTrained, metrics, secondsSince } from '../platform/metrics.ts';

const SERIES_PER_TASK = 64;
// With a global model a task's series share one interval calibration, so it takes more of them.
const GLOBAL_SERIES_PER_TASK = 64;

export function trainingActivities(deps: Deps) {
  // Each execution's shard plan, read once per process (null: a run planned by the earlier snapshot).
  const plans = new Map<string, Promise<ShardStores[] | null>>();
  const planOf = (runId: string, execution: string): Promise<ShardStores[] | null> => {
    const name = trainingShardPlanObject(runId, execution);
    let plan = plans.get(name);
    if (!plan) {
      plan = (async () =>
        (await deps.store.exists(name))
          ? (JSON.parse((await deps.store.read(name)).toString('utf8')) as ShardStores[])
          : null)();
      plans.set(name, plan);
      plan.catch(() => plans.delete(name));
      // A worker lives through many runs: only the latest few plans are kept.
      if (plans.size > 8) plans.delete(plans.keys().next().value!);
    }
    return plan;
  };

  /**
   * A shard's series as lines: its snapshot when this execution wrote one (`mayExist`: an earlier
   * attempt or the global fit may have), else its stores' window read from Postgres and written as
   * the snapshot first, so a retry fits the same days. A run whose execution has no plan was planned
   * by the earlier snapshot, which wrote every shard up front.
   */
  const shardLines = async (
    runId: string,
    execution: string,
    shard: number,
    o: TrainingOptions,
    mayExist: boolean,
  ): Promise<string[]> => {
    const object = trainingShardObject(runId, shard, execution);
    const plan = await planOf(runId, execution);
    let text: string;
    if (!plan) text = (await deps.store.read(trainingShardObject(runId, shard))).toString('utf8');
    else if (mayExist && (await deps.store.exists(object))) text = (await deps.store.read(object)).toString('utf8');
    else {
      const stores = plan[shard];
      if (!stores) throw invalidInput('shard', `${runId} has no shard ${shard}`);
      const lines: string[] = [];
      for await (const line of seriesWindowLines(deps.pool, {
        ...o,
        planDays: o.horizon,
        stores: { first: stores[0], last: stores[1] },
      }))
        lines.push(line);
      text = lines.join('');
      await deps.store.write(object, text, 'application/x-ndjson');
    }
    return text.split('\n').filter(Boolean);
  };

  return {
    /**
     * Plans the run's shards: ranges of whole stores of about `shardSize` series each, from the
     * window's series per store, written as the execution's plan; returns how many series and shards.
     * Each shard snapshots its own stores when it first runs (`shardLines`), so no step reads the
     * whole window before fitting starts, and the snapshots spread over the workers.
     */
    snapshotTrainingWindow: (runId: string, o: TrainingOptions): Promise<{ series: number; shards: number }> => {
      const execution = Context.current().info.workflowExecution!.runId;
      return whileHeartbeating(async () => {
        // Checked before any row is read (the window's own fields are checked where they are queried).
        const badEngine = engineProblem(o.engine);
        if (badEngine) throw invalidInput('engine', badEngine);
        const shards = shardStoreRanges(await windowSeriesPerStore(deps.pool, o), o.shardSize);
        await deps.store.write(trainingShardPlanObject(runId, execution), JSON.stringify(shards), 'application/json');
        return { series: shards.reduce((n, s) => n + s[2], 0), shards: shards.length };
      });
    },

    /**
     * Fits the run's global model over every series of its snapshot in a worker thread and stores it
     * as the run's artifact; a retry finds the artifact an earlier attempt stored and fits nothing.
     * Null when no series can train it (the shards then train fast alone).
     */
    fitGlobalModel: (runId: string, o: TrainingOptions, shards: number): Promise<GlobalModelSummary | null> => {
      const ctx = Context.current();
      let stage = 'reading';
      let fit: GlobalFitProgress | undefined;
      return whileHeartbeating(
        async () => {
          const name = globalModelObject(runId, ctx.info.workflowExecution!.runId);
          const summary = (text: string, fitSeconds: number): GlobalModelSummary => {
            const p = JSON.parse(text) as GlobalParams;
            return { artifact: deps.store.uri(name), series: p.series, rows: p.rows, fitSeconds };
          };
          if (await deps.store.exists(name)) return summary((await deps.store.read(name)).toString('utf8'), 0);
          const lines: string[] = [];
          for (let shard = 0; shard < shards; shard++)
            lines.push(...(await shardLines(runId, ctx.info.workflowExecution!.runId, shard, o, ctx.info.attempt > 1)));
          const storeIds = [...new Set(lines.map((line) => seriesKey(line, runId).storeId))];
          const stores = Object.fromEntries(await storeAttributesById(deps.pool, storeIds));
          stage = 'fitting';
          const started = performance.now();
          const text = await deps.fitPool.fitGlobalModel(
            { lines, stores, options: seriesTrainingOptions(o) },
            ctx.cancellationSignal,
            (p) => (fit = p),
          );
          if (text === null) return null;
          const fitSeconds = (performance.now() - started) / 1000;
          stage = 'storing';
          await deps.store.write(name, text, 'application/json');
          return summary(text, fitSeconds);
        },
        // While the thread works, its own stage and trees done of all (and rows) say how far it is.
        () => (stage === 'fitting' && fit ? fit : { stage }),
      );
    },

    /**
     * Trains a shard's series in worker threads, heartbeating series done, and saves the results.
     * With the run's global model (`global`, its artifact), each series chooses fast, global or the blend.
     */
    trainShard: (runId: string, shard: number, o: TrainingOptions, global?: string): Promise<ShardResult> => {
      const ctx = Context.current();
      let done = 0;
      return whileHeartbeating(
        async () => {
          // In a run with a global model, its fit snapshotted every shard first.
          const lines = await shardLines(
            runId,
            ctx.info.workflowExecution!.runId,
            shard,
            o,
            ctx.info.attempt > 1 || global !== undefined,
          );
          // Only the keys are read here; the days are parsed in the worker threads.
          const series = lines.map((line) => ({ ...seriesKey(line, `shard ${shard} of ${runId}`), line }));
          const production = await productionVersions(deps.pool, series, runId);
          const options = seriesTrainingOptions(o);
          // The global models the threads need: the run's, and those production versions serve.
          const artifacts = new Set([...production.values()].map((p) => globalArtifactOf(p.model)));
          if (global) artifacts.add(global);
          artifacts.delete(undefined);
          const globalModels = Object.fromEntries(
            await Promise.all(
              [...artifacts].map(async (uri) => [uri!, await globalModelText(deps.store, uri!)] as const),
            ),
          );
          const stores = global
            ? await storeAttributesById(deps.pool, [...new Set(series.map((s) => s.storeId))])
            : undefined;
          const trained: TrainedSeries[] = [];
          const chosen: Record<ChoiceCandidate, number> = { fast: 0, global: 0, blend: 0 };
          const perTask = global ? GLOBAL_SERIES_PER_TASK : SERIES_PER_TASK;
          await Promise.all(
            Array.from({ length: Math.ceil(series.length / perTask) }, async (_, t) => {
              const batch = series
                .slice(t * perTask, (t + 1) * perTask)
                .map((s) => ({ ...s, production: production.get(forecastModelName(s.storeId, s.product)) }));
              const fitStart = performance.now();
              const results = await deps.fitPool.run(
                {
                  lines: batch.map((s) => s.line),
                  production: batch.map((s) => s.production),
                  options,
                  globalModels,
                  ...(global ? { global, stores: batch.map((s) => stores?.get(s.storeId) ?? null) } : {}),
                },
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
              for (const [c, n] of Object.entries(chosenCounts(results))) chosen[c as ChoiceCandidate] += n;
              // The activity's regular heartbeat reports it: a beat per task cost more than its fits' save.
              done += batch.length;
            }),
          );
          const { counts, written } = await saveTrainingResults(deps.pool, runId, trained);
          // Only what this attempt wrote first: a shard retried after its commit counts nothing again.
          countTrained(o.engine, written);
          return { series: series.length, ...counts, ...(global ? { chosen } : {}) };
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
