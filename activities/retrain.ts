// Retraining one series now: read its window, fit and backtest, register the version, apply the
// promotion policy and write its forecast (on the store's planned calendar where it has one). Once
// a weekly run has made a series' production version a global or blend one, a retrain refits `fast`
// and chooses between it, that version's global model (read from its artifact, kept in memory) and
// their blend, as the run did. A series fits in about a millisecond with `fast`, so it
// runs here rather than queueing behind a weekly run in the fitting threads. Each retrain is a run
// row (training_runs, kind retrain), so the runs view shows it.
import { Context } from '@temporalio/activity';
import { invalidInput } from '../contracts/failures.ts';
import type { RetrainInput, RetrainResult } from '../contracts/retrain.ts';
import { DEFAULT_TRAINING, forecastModelName, seriesTrainingOptions } from '../contracts/training.ts';
import { addDays } from '../domain/dates.ts';
import { engineProblem } from '../ml/forecast/engines.ts';
import { globalArtifactOf, runCalibration } from '../ml/forecast/globalVersion.ts';
import { trainSeries } from '../ml/forecast/trainSeries.ts';
import { trainSeriesWithGlobal } from '../ml/forecast/trainWithGlobal.ts';
import { globalModelParams, servableModel } from '../platform/globalModels.ts';
import { storeAttributesById } from '../platform/sales.ts';
import { productionVersions, registeredVersion, saveTrainingResults } from '../platform/registry.ts';
import { countTrained, metrics, secondsSince } from '../platform/metrics.ts';
import { endRetrainRun, startRetrainRun } from '../platform/runs.ts';
import { plannedDays } from '../platform/plannedCalendar.ts';
import { latestSeriesWindow } from '../platform/seriesHistory.ts';
import type { Deps } from './deps.ts';
import { whileHeartbeating } from './heartbeat.ts';

export function retrainActivities({ pool, store }: Deps) {
  return {
    retrainSeriesNow: (trainingRun: string, input: RetrainInput): Promise<RetrainResult> =>
      whileHeartbeating(async () => {
        const badEngine = engineProblem(input.engine);
        if (badEngine) throw invalidInput('engine', badEngine);
        // Always run by retrainSeries, so there is a workflow to settle the row by if this never ends.
        const { workflowId, runId } = Context.current().info.workflowExecution!;
        await startRetrainRun(pool, { runId: trainingRun, workflowId, workflowRunId: runId, ...input });
        const start = performance.now();
        const result = await retrain(trainingRun, input);
        metrics.retrainSeconds.observe({ outcome: result.trained ? 'trained' : 'not_trained' }, secondsSince(start));
        await endRetrainRun(
          pool,
          trainingRun,
          result.trained
            ? {
                status: 'done',
                asOf: result.asOf,
                counts: { series: 1, fitted: 1, promoted: result.promoted ? 1 : 0 },
                metrics: result.metrics,
              }
            : { status: 'failed', counts: { series: 1, fitted: 0, promoted: 0 }, error: result.reason },
        );
        return result;
      }),
  };

  async function retrain(trainingRun: string, input: RetrainInput): Promise<RetrainResult> {
    const { storeId, product } = input;
    const history = await latestSeriesWindow(pool, storeId, product, input.windowDays);
    if (!history.length)
      return { storeId, product, trained: false, reason: `no sales for store ${storeId}, product "${product}"` };
    const asOf = history.at(-1)!.date;
    const series = [{ storeId, product }];
    const stored = (await productionVersions(pool, series, trainingRun)).get(forecastModelName(storeId, product));
    const production = stored && { ...stored, model: await servableModel(store, stored.model) };
    const options = seriesTrainingOptions({ ...DEFAULT_TRAINING, engine: input.engine, asOf });
    const plan = (await plannedDays(pool, [storeId], addDays(asOf, 1), addDays(asOf, options.horizon))).get(storeId);
    // The local engine is refitted; a series served by a global or blend version keeps that global model.
    const artifact = input.engine === 'fast' && production ? globalArtifactOf(production.model) : undefined;
    const attributes = artifact ? (await storeAttributesById(pool, [storeId])).get(storeId) : undefined;
    const params = artifact ? await globalModelParams(store, artifact) : undefined;
    const fitStart = performance.now();
    const result =
      artifact && params
        ? trainSeriesWithGlobal(
            [{ key: forecastModelName(storeId, product), history, plan, production, store: attributes ?? null }],
            options,
            { artifact, params },
            runCalibration(production?.model),
          )[0]!
        : trainSeries(history, production, options, plan);
    metrics.fitSeconds.observe({ engine: input.engine, kind: 'retrain' }, secondsSince(fitStart));
    if (!result.ok) return { storeId, product, trained: false, reason: result.reason };
    const { written } = await saveTrainingResults(pool, trainingRun, [{ storeId, product, production, result }]);
    countTrained(input.engine, written);
    const model = forecastModelName(storeId, product);
    const version = (await registeredVersion(pool, model, trainingRun))!;
    return {
      storeId,
      product,
      trained: true,
      model,
      version,
      promoted: result.promote,
      promotionReason: result.promotionReason,
      metrics: result.metrics,
      asOf,
    };
  }
}

export type RetrainActivities = ReturnType<typeof retrainActivities>;
