// weeklyTraining: snapshot the training window to GCS in shards -> (with `global`, fit the run's
// global model once) -> train the shards, a bounded number at a time (each fits its series, chooses
// each one's engine against the global model, registers versions, promotes, writes 7-day forecasts)
// -> record the run with its metric distribution and how many series chose each engine. Its history grows by a few events per shard:
// 100,000 series in shards of 512 is ~200 activities, far below Temporal's limits.
import {
  CancellationScope,
  isCancellation,
  proxyActivities,
  rootCause,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { TrainingActivities } from '../activities/training.ts';
import { HEARTBEAT_TIMEOUT } from '../contracts/heartbeats.ts';
import { invalidInput, PIPELINE_RETRY } from '../contracts/failures.ts';
import {
  CHOICE_CANDIDATES,
  GLOBAL_NEEDS_FAST,
  MAX_TRAINING_CONCURRENCY,
  SALES_FORECAST_MODELS,
  trainingProgressQuery,
  type GlobalModelSummary,
  type ShardResult,
  type TrainingCounts,
  type TrainingOptions,
  type TrainingProgress,
  type TrainingReport,
  type TrainingStage,
} from '../contracts/training.ts';
import { dateProblem, todayUtc } from '../domain/dates.ts';
import { slidingWindow } from './slidingWindow.ts';
import { tagRun, tagStage } from './runTags.ts';

const acts = proxyActivities<TrainingActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: PIPELINE_RETRY,
});

export async function weeklyTraining(options: TrainingOptions): Promise<TrainingReport> {
  tagRun({ pipeline: 'training', model: SALES_FORECAST_MODELS, asOf: options.asOf, stage: 'snapshotting' });
  const asOfProblem = dateProblem(options.asOf, 'past', todayUtc());
  if (asOfProblem) throw invalidInput('asOf', asOfProblem);
  if (options.global && options.engine !== 'fast') throw invalidInput('global', GLOBAL_NEEDS_FAST(options.engine));
  const { concurrency } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_TRAINING_CONCURRENCY)
    throw invalidInput(
      'concurrency',
      `must be a whole number from 1 to ${MAX_TRAINING_CONCURRENCY}, got ${concurrency}`,
    );
  const runId = workflowInfo().workflowId;
  const counts: TrainingCounts = {
    series: 0,
    shards: 0,
    shardsDone: 0,
    done: 0,
    fitted: 0,
    unfit: 0,
    promoted: 0,
    forecasts: 0,
  };
  const progress: TrainingProgress = { stage: 'snapshotting', counts, seriesPerSecond: 0, etaSeconds: null };
  const started = Date.now();
  let trainingStarted = started;
  // A query must not change workflow state: it answers a copy with the rate computed now.
  setHandler(trainingProgressQuery, () => trainingProgress(progress, (Date.now() - trainingStarted) / 1000));
  const record = (status: TrainingStage, error?: string) => {
    tagStage(status);
    return acts.recordTrainingRun({ runId, status, options, counts, error });
  };

  await record('snapshotting');
  try {
    const snapshot = await acts.snapshotTrainingWindow(runId, options);
    counts.series = snapshot.series;
    counts.shards = snapshot.shards;
    let global: GlobalModelSummary | null = null;
    if (options.global) {
      progress.stage = 'fitting_global';
      await record('fitting_global');
      global = await acts.fitGlobalModel(runId, options, snapshot.shards);
      counts.chosen = { fast: 0, global: 0, blend: 0 };
    }
    progress.stage = 'training';
    trainingStarted = Date.now();
    await record('training');

    const add = (r: ShardResult) => {
      counts.shardsDone++;
      counts.done += r.series;
      counts.fitted += r.fitted;
      counts.unfit += r.unfit;
      counts.promoted += r.promoted;
      counts.forecasts += r.forecasts;
      if (counts.chosen && r.chosen) for (const c of CHOICE_CANDIDATES) counts.chosen[c] += r.chosen[c];
    };
    const shards = Array.from({ length: snapshot.shards }, (_, shard) => shard);
    await slidingWindow(shards, options.concurrency, (shard) =>
      acts.trainShard(runId, shard, options, global?.artifact).then(add),
    );

    progress.stage = 'recording';
    const metrics = await record('done');
    progress.stage = 'done';
    return {
      runId,
      asOf: options.asOf,
      engine: options.engine,
      counts,
      metrics,
      seconds: (Date.now() - started) / 1000,
      ...(global ? { global } : {}),
    };
  } catch (err) {
    // Shards already saved stay (each is whole); the run row says how far it got and why it stopped.
    const status: TrainingStage = isCancellation(err) ? 'cancelled' : 'failed';
    progress.stage = status;
    await CancellationScope.nonCancellable(() =>
      record(status, status === 'cancelled' ? 'cancelled' : (rootCause(err) ?? String(err))),
    );
    throw err;
  }
}

/** Progress as of `seconds` into training: a new object, with the rate and the time left. */
export function trainingProgress(progress: TrainingProgress, seconds: number): TrainingProgress {
  const { counts } = progress;
  const seriesPerSecond = seconds > 0 ? counts.done / seconds : 0;
  return {
    ...progress,
    counts: { ...counts },
    seriesPerSecond,
    etaSeconds: seriesPerSecond > 0 ? (counts.series - counts.done) / seriesPerSecond : null,
  };
}
