// tabularTraining: the source's rows (get) -> the spec's filters (preprocess) -> train/test split -> the trials as
// parallel activities (at most search.concurrency at once), each cross-validated on the training
// part and recorded -> the best refitted on the whole training part -> the challenger against the
// champion on the same test rows -> a registry version, promoted or kept as a challenger. Each
// stage is recorded on the run row, so the page and the API see it without asking the workflow.
import {
  CancellationScope,
  isCancellation,
  proxyActivities,
  rootCause,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { TabularActivities } from '../activities/tabularTraining.ts';
import { HEARTBEAT_TIMEOUT } from '../contracts/heartbeats.ts';
import { invalidInput, PIPELINE_RETRY } from '../contracts/failures.ts';
import {
  DEFAULT_TABULAR_TRAINING,
  tabularProgressQuery,
  trialObjective,
  type TabularReport,
  type TabularStage,
  type TabularTrainingInput,
  type TabularTrainingOptions,
  type TrialResult,
} from '../contracts/tabular.ts';
import { isTabularModel, noTabularPreset } from '../domain/tabularModels.ts';
import { slidingWindow } from './slidingWindow.ts';
import { tagRun, tagStage } from './runTags.ts';

const retry = PIPELINE_RETRY;
const acts = proxyActivities<TabularActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry,
});

export async function tabularTraining(input: TabularTrainingInput): Promise<TabularReport> {
  const options: TabularTrainingOptions = {
    ...DEFAULT_TABULAR_TRAINING,
    ...input,
    search: { ...DEFAULT_TABULAR_TRAINING.search, ...input.search },
  };
  checkOptions(options);
  const { workflowId: runId, runId: workflowRunId } = workflowInfo();
  tagRun({ pipeline: 'tabular', model: options.model });
  const started = Date.now();
  const counts = { read: 0, rows: 0, train: 0, test: 0, trialsTotal: 0, trialsDone: 0 };
  let stage: TabularStage = 'loading';
  let best: TrialResult | undefined;
  setHandler(tabularProgressQuery, () => ({
    stage,
    trialsTotal: counts.trialsTotal,
    trialsDone: counts.trialsDone,
    best: best ? { trial: best.trial, learner: best.learner, metrics: best.metrics } : null,
  }));
  const record = (error?: string) => {
    tagStage(stage);
    return acts.recordTabularRun({
      runId,
      workflowRunId,
      stage,
      options,
      counts,
      ...(best ? { best: { trial: best.trial, learner: best.learner, metrics: best.metrics } } : {}),
      ...(error !== undefined ? { error } : {}),
    });
  };

  await record();
  try {
    const plan = await acts.planTabularTrials(options);
    counts.trialsTotal = plan.length;
    counts.read = (await acts.getTabularRows(runId, options)).read;
    stage = 'preprocessing';
    await record();

    const preprocessed = await acts.preprocessTabularRows(runId, options);
    counts.rows = preprocessed.kept;
    stage = 'splitting';
    await record();

    const parts = await acts.splitTabularRows(runId, options);
    counts.train = parts.train;
    counts.test = parts.test;
    stage = 'searching';
    await record();

    await slidingWindow(plan, options.search.concurrency, async (trial) => {
      const result = await acts.runTabularTrial(runId, trial, options);
      counts.trialsDone++;
      // Ties go to the lower trial number, so the choice does not depend on which finished first.
      if (
        !best ||
        trialObjective(result) < trialObjective(best) ||
        (trialObjective(result) === trialObjective(best) && result.trial < best.trial)
      )
        best = result;
    });
    const chosen = best!;
    stage = 'refitting';
    await record();

    await acts.refitTabularModel(runId, chosen, options);
    stage = 'registering';
    await record();

    const registration = await acts.registerTabularModel(runId, chosen, plan.length, options);
    stage = 'done';
    await record();
    return {
      runId,
      read: counts.read,
      rows: counts.rows,
      filtered: preprocessed.steps,
      train: counts.train,
      test: counts.test,
      trials: plan.length,
      best: chosen,
      registration,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (err) {
    // What was saved stays (trials are recorded once each); the run row says where it stopped and why.
    stage = isCancellation(err) ? 'cancelled' : 'failed';
    await CancellationScope.nonCancellable(() =>
      record(stage === 'cancelled' ? 'cancelled' : (rootCause(err) ?? String(err))),
    );
    throw err;
  }
}

function checkOptions(o: TabularTrainingOptions): void {
  if (!isTabularModel(o.model)) throw invalidInput('model', noTabularPreset(o.model));
  if (o.source.kind === 'csv' && !o.source.uri) throw invalidInput('source.uri', 'must name the CSV object');
  if (o.source.kind !== 'csv' && !o.source.table) throw invalidInput('source.table', 'must name the table');
  const { split, search } = o;
  if (split.kind === 'period') {
    if (!(split.testFrom < split.testTo))
      throw invalidInput('split.testTo', `must be after split.testFrom (${split.testFrom}), got ${split.testTo}`);
    if (split.trainFrom !== undefined && !(split.trainFrom < split.testFrom))
      throw invalidInput(
        'split.trainFrom',
        `must be before split.testFrom (${split.testFrom}), got ${split.trainFrom}`,
      );
  } else if (!(split.testShare > 0 && split.testShare < 1))
    throw invalidInput('split.testShare', `must be between 0 and 1, got ${split.testShare}`);
  if ((split.kind === 'random' || split.kind === 'stratified') && !Number.isInteger(split.seed))
    throw invalidInput('split.seed', `must be a whole number, got ${split.seed}`);
  if (search.kind !== 'grid' && search.kind !== 'random')
    throw invalidInput('search.kind', `must be grid or random, got ${String(search.kind)}`);
  const whole = (field: 'trials' | 'concurrency' | 'folds', min: number, max: number) => {
    const v = search[field];
    if (!Number.isInteger(v) || v < min || v > max)
      throw invalidInput(`search.${field}`, `must be a whole number from ${min} to ${max}, got ${v}`);
  };
  whole('trials', 1, 1000);
  whole('concurrency', 1, 64);
  whole('folds', 2, 20);
  if (!Number.isInteger(search.seed)) throw invalidInput('search.seed', `must be a whole number, got ${search.seed}`);
  if (!(o.promotionMargin >= 0 && o.promotionMargin < 1))
    throw invalidInput('promotionMargin', `must be from 0 to below 1, got ${o.promotionMargin}`);
}
