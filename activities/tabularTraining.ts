// Activities of tabularTraining. Each step writes its output under tabular/<runId>/ in GCS (the
// filtered rows, the training and test parts, the refitted model) with fixed names, so a retry
// overwrites; a trial is recorded keyed (run_id, trial) and a recorded trial is returned, not
// rerun; registering writes the version and the champion/challenger decision in one transaction.
import { Context } from '@temporalio/activity';
import { invalidInput } from '../contracts/failures.ts';
import { isTabularModel, noTabularPreset } from '../domain/tabularModels.ts';
import {
  type SearchOptions,
  type SplitOptions,
  type TabularPreprocessing,
  type TabularRegistration,
  type TabularTrainingOptions,
  type TrialPlan,
  type TrialResult,
} from '../contracts/tabular.ts';
import { tabularPromotion } from '../ml/registry/tabularPromotion.ts';
import { predictTabular, scoreOf, THRESHOLD_METRIC, type FittedTabular } from '../ml/tabular/evaluate.ts';
import { TABULAR_PRESETS } from '../ml/tabular/presets/index.ts';
import { withHistory } from '../ml/tabular/history.ts';
import { filterRows, targets } from '../ml/tabular/rows.ts';
import { planTrials, SearchPlanError, startOrder } from '../ml/tabular/searchPlan.ts';
import type { Trial } from '../ml/tabular/searchSpace.ts';
import type { DatasetSpec } from '../ml/tabular/spec.ts';
import { periodSplit, randomSplit, stratifiedSplit, timeSplit, type Split } from '../ml/tabular/split.ts';
import { TabularInputError, type RawRow } from '../ml/tabular/values.ts';
import { readRowSet, sourceRows, tabularObject, writeRowSet } from '../platform/tabularData.ts';
import { fittedTabular, registerTabularVersion } from '../platform/tabularRegistry.ts';
import {
  recordedTabularTrial,
  recordTabularRun,
  recordTabularTrial,
  type TabularRunState,
} from '../platform/tabularRuns.ts';
import type { Deps } from './deps.ts';
import { whileHeartbeating } from './heartbeat.ts';

export function tabularSpec(model: string): DatasetSpec {
  if (!isTabularModel(model)) throw invalidInput('model', noTabularPreset(model));
  return TABULAR_PRESETS[model];
}

/** The search's trials (ml/tabular/searchPlan.ts); a search that cannot be planned is bad input naming its field. */
function searchTrials(spec: DatasetSpec, search: SearchOptions): TrialPlan[] {
  try {
    return planTrials(spec, search);
  } catch (e) {
    if (e instanceof SearchPlanError) throw invalidInput(e.field, e.problem);
    throw e;
  }
}

function splitRows(spec: DatasetSpec, rows: readonly RawRow[], o: SplitOptions): Split {
  if (o.kind === 'random') return randomSplit(rows.length, o);
  if (o.kind === 'stratified') return stratifiedSplit(targets(spec, rows), o);
  if (!rows.every((r) => o.column in r)) throw invalidInput('split.column', `${o.column} is not a column of the rows`);
  if (o.kind === 'period') {
    try {
      return periodSplit(
        rows.map((r) => String(r[o.column])),
        o,
      );
    } catch (e) {
      throw invalidInput('split', (e as Error).message);
    }
  }
  return timeSplit(
    rows.map((r) => r[o.column] as string),
    o,
  );
}

/** The rows with their history features; a row whose time is no hour, or repeats one, fails the run naming it. */
function historyOf(spec: DatasetSpec, rows: RawRow[]): RawRow[] {
  try {
    return withHistory(spec, rows);
  } catch (e) {
    if (e instanceof TabularInputError) throw invalidInput('history', e.message);
    throw e;
  }
}

export function tabularActivities(deps: Deps) {
  // A worker runs many trials of one run: its training rows are read from GCS once.
  let cached: { runId: string; rows: Promise<RawRow[]> } | undefined;
  const trainRows = (runId: string) => {
    if (cached?.runId !== runId) cached = { runId, rows: readRowSet(deps.store, runId, 'train') };
    const rows = cached.rows;
    rows.catch(() => (cached = undefined));
    return rows;
  };

  return {
    recordTabularRun: (run: TabularRunState): Promise<void> =>
      whileHeartbeating(() => recordTabularRun(deps.pool, run)),

    /** The trials the search will run, in the order to start them; bad learners fail here, naming the field. */
    planTabularTrials: (o: TabularTrainingOptions): Promise<TrialPlan[]> =>
      Promise.resolve(startOrder(searchTrials(tabularSpec(o.model), o.search))),

    /** The source's rows as read, to tabular/<runId>/source.json; how many. */
    getTabularRows: (runId: string, o: TabularTrainingOptions): Promise<{ read: number }> =>
      whileHeartbeating(async () => {
        const { rows } = await sourceRows(deps, o.source);
        await writeRowSet(deps.store, runId, 'source', rows);
        return { read: rows.length };
      }),

    /** The spec's filters (duplicates, blanks) over the source's rows, to tabular/<runId>/rows.json; what each dropped. */
    preprocessTabularRows: (runId: string, o: TabularTrainingOptions): Promise<TabularPreprocessing> =>
      whileHeartbeating(async () => {
        const spec = tabularSpec(o.model);
        const source = await readRowSet(deps.store, runId, 'source');
        // history features over the whole series, before rows without a target are dropped
        const { rows, steps } = filterRows(spec, spec.history ? historyOf(spec, source) : source);
        await writeRowSet(deps.store, runId, 'rows', rows);
        return { kept: rows.length, steps };
      }),

    /** The run's rows split into tabular/<runId>/train.json and test.json; their sizes. */
    splitTabularRows: (runId: string, o: TabularTrainingOptions): Promise<{ train: number; test: number }> =>
      whileHeartbeating(async () => {
        const rows = await readRowSet(deps.store, runId, 'rows');
        const { train, test } = splitRows(tabularSpec(o.model), rows, o.split);
        await writeRowSet(
          deps.store,
          runId,
          'train',
          train.map((i) => rows[i]!),
        );
        await writeRowSet(
          deps.store,
          runId,
          'test',
          test.map((i) => rows[i]!),
        );
        return { train: train.length, test: test.length };
      }),

    /** One trial's cross-validation on the training part, in a worker thread; recorded once. */
    runTabularTrial: (runId: string, plan: TrialPlan, o: TabularTrainingOptions): Promise<TrialResult> =>
      whileHeartbeating(async () => {
        const recorded = await recordedTabularTrial(deps.pool, runId, plan.trial);
        if (recorded) return recorded;
        const started = performance.now();
        const metrics = await deps.fitPool.crossValidateTrial(
          {
            runId,
            spec: tabularSpec(o.model),
            rows: await trainRows(runId),
            learner: plan.learner,
            params: plan.params as Trial,
            folds: o.search.folds,
            seed: o.search.seed,
          },
          Context.current().cancellationSignal,
        );
        const result: TrialResult = { ...plan, metrics, seconds: (performance.now() - started) / 1000 };
        await recordTabularTrial(deps.pool, runId, result);
        return result;
      }),

    /**
     * The best trial refitted on the whole training part (oversampled as its trial was), with the
     * threshold its cross-validation chose on the validation folds, to tabular/<runId>/model.json.
     */
    refitTabularModel: (
      runId: string,
      best: TrialPlan & Partial<Pick<TrialResult, 'metrics'>>,
      o: TabularTrainingOptions,
    ): Promise<void> =>
      whileHeartbeating(async () => {
        const spec = tabularSpec(o.model);
        const fitted = JSON.parse(
          await deps.fitPool.refitTabularTrial(
            {
              spec,
              rows: await trainRows(runId),
              learner: best.learner,
              params: best.params as Trial,
              seed: o.search.seed,
            },
            Context.current().cancellationSignal,
          ),
        ) as FittedTabular;
        const threshold = best.metrics?.[THRESHOLD_METRIC]?.mean;
        if (spec.threshold && threshold === undefined)
          throw new Error(`trial ${best.trial} of run ${runId} has no ${THRESHOLD_METRIC}: its spec chooses one`);
        if (threshold !== undefined) fitted.threshold = threshold;
        await deps.store.write(tabularObject(runId, 'model'), JSON.stringify(fitted), 'application/json');
      }),

    /** The refitted challenger and the champion scored on the run's test rows; registered, promoted or not. */
    registerTabularModel: (
      runId: string,
      best: TrialResult,
      trials: number,
      o: TabularTrainingOptions,
    ): Promise<TabularRegistration> =>
      whileHeartbeating(async () => {
        const spec = tabularSpec(o.model);
        const fitted = JSON.parse(
          (await deps.store.read(tabularObject(runId, 'model'))).toString('utf8'),
        ) as FittedTabular;
        const test = await readRowSet(deps.store, runId, 'test');
        const y = targets(spec, test);
        // at the threshold chosen on the validation folds: the test rows only measure it
        const metrics = scoreOf(spec, y, predictTabular(fitted, test), fitted.threshold);
        return registerTabularVersion(
          deps.pool,
          deps.store,
          {
            model: o.model,
            runId,
            fitted,
            spec,
            trial: { trial: best.trial, learner: best.learner, params: best.params },
            metrics: { test: metrics, crossValidation: best.metrics, trials },
          },
          async (champion) => {
            const championFitted = champion && (await fittedTabular(deps.store, champion.params));
            const championMetrics =
              championFitted && scoreOf(spec, y, predictTabular(championFitted, test), championFitted.threshold);
            return {
              metrics,
              champion: champion ? { version: champion.version, metrics: championMetrics! } : null,
              ...tabularPromotion({
                challenger: metrics,
                champion: championMetrics || undefined,
                margin: o.promotionMargin,
                gate: spec.gate,
              }),
            };
          },
        );
      }),
  };
}

export type TabularActivities = ReturnType<typeof tabularActivities>;
