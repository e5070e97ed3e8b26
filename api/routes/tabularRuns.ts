// Tabular training runs (the Experiments view): start one on a CSV in the project bucket (write),
// list them, follow one with its live progress and trials, its trials in any order, and its
// evaluation: the version it registered against the actual targets of its test rows, with the
// feature importances of tree models.
import { createRoute, z } from '@hono/zod-openapi';
import {
  DEFAULT_TABULAR_TRAINING,
  TABULAR_MODELS,
  TABULAR_RUN_PREFIX,
  tabularProgressQuery,
  type TabularTrainingOptions,
} from '../../contracts/tabular.ts';
import { comparisonTable } from '../../ml/tabular/comparison.ts';
import { LEARNERS, type LearnerName } from '../../ml/tabular/learners.ts';
import { TABULAR_PRESETS } from '../../ml/tabular/presets/index.ts';
import { currentRun } from '../../platform/runs.ts';
import { tabularChampion, tabularRunEvaluation } from '../../platform/tabularExperiments.ts';
import { orderedTabularTrials, tabularRun, tabularRunList, tabularTrials } from '../../platform/tabularRuns.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { tabularTraining } from '../../workflows/tabularTraining.ts';
import { requireRole } from '../auth.ts';
import { checkBucketObject } from '../bucketObjects.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { BEARER, errors, json, Limit, router, StartedSchema } from '../openapi.ts';
import { TabularSource } from '../tabularSchemas.ts';
import { briefly, liveProgress } from '../temporalCalls.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';
import { newRunId } from '../runIds.ts';

const LEARNER_NAMES = Object.keys(LEARNERS) as [LearnerName, ...LearnerName[]];
const shown = (input: unknown) => JSON.stringify(input) ?? 'nothing';
const D = DEFAULT_TABULAR_TRAINING;

const whole = (min: number, max: number) =>
  z
    .number({ error: (i) => `must be a whole number from ${min} to ${max}, got ${shown(i.input)}` })
    .int({ error: (i) => `must be a whole number from ${min} to ${max}, got ${shown(i.input)}` })
    .min(min, { error: (i) => `must be a whole number from ${min} to ${max}, got ${shown(i.input)}` })
    .max(max, { error: (i) => `must be a whole number from ${min} to ${max}, got ${shown(i.input)}` });
const Seed = whole(0, 2 ** 31 - 1);
const TestShare = z
  .number({ error: (i) => `must be a number between 0 and 1, got ${shown(i.input)}` })
  .gt(0, { error: (i) => `must be a number between 0 and 1, got ${shown(i.input)}` })
  .lt(1, { error: (i) => `must be a number between 0 and 1, got ${shown(i.input)}` })
  .default(D.split.testShare);

const PeriodBound = z
  .string({ error: (i) => `must be text, got ${shown(i.input)}` })
  .min(1, { error: 'must not be empty' });

const Split = z
  .discriminatedUnion(
    'kind',
    [
      z.object({ kind: z.literal('random'), testShare: TestShare, seed: Seed.default(0) }).strict(),
      z.object({ kind: z.literal('stratified'), testShare: TestShare, seed: Seed.default(0) }).strict(),
      z.object({ kind: z.literal('time'), testShare: TestShare, column: z.string().min(1) }).strict(),
      z
        .object({
          kind: z.literal('period'),
          column: z.string().min(1),
          trainFrom: PeriodBound.optional(),
          testFrom: PeriodBound,
          testTo: PeriodBound,
        })
        .strict()
        .superRefine((p, ctx) => {
          if (p.testTo <= p.testFrom)
            ctx.addIssue({ code: 'custom', path: ['testTo'], message: `must come after testFrom ${p.testFrom}` });
          if (p.trainFrom !== undefined && p.trainFrom >= p.testFrom)
            ctx.addIssue({ code: 'custom', path: ['trainFrom'], message: `must come before testFrom ${p.testFrom}` });
        })
        .openapi({
          description:
            'rows whose column is from trainFrom (optional) to before testFrom train, from testFrom to before testTo test, ' +
            "the rest are left out; values compare as text, so write the bounds as the column is ('2004-06-01 00:00:00', '2004')",
        }),
    ],
    { error: (i) => `must have kind random, stratified, time or period, got ${shown(i.input)}` },
  )
  .default(D.split)
  .openapi('TabularSplit', { description: 'how the rows are split into training and test parts' });

const Search = z
  .object({
    kind: z
      .enum(['grid', 'random'], { error: (i) => `must be grid or random, got ${shown(i.input)}` })
      .default(D.search.kind),
    trials: whole(1, 1000).default(D.search.trials),
    concurrency: whole(1, 64).default(D.search.concurrency),
    folds: whole(2, 20).default(D.search.folds),
    seed: Seed.default(D.search.seed),
    learners: z
      .array(
        z.enum(LEARNER_NAMES, {
          error: (i) => `must be one of ${LEARNER_NAMES.join(', ')}, got ${shown(i.input)}`,
        }),
      )
      .min(1, { error: 'must name at least one learner' })
      .optional()
      .openapi({ description: "learners to search; default all of the model's task" }),
  })
  .strict()
  .default({
    kind: D.search.kind,
    trials: D.search.trials,
    concurrency: D.search.concurrency,
    folds: D.search.folds,
    seed: D.search.seed,
  })
  .openapi('TabularSearch', { description: 'the hyperparameter search: trials in parallel, k-fold cross-validation' });

const TabularRunBody = z
  .object({
    model: z.enum(TABULAR_MODELS, {
      error: (i) =>
        i.input === undefined ? 'is required' : `must be one of ${TABULAR_MODELS.join(', ')}, got ${shown(i.input)}`,
    }),
    source: TabularSource,
    split: Split,
    search: Search,
    promotionMargin: z
      .number({ error: (i) => `must be a number from 0 to below 1, got ${shown(i.input)}` })
      .min(0, { error: (i) => `must be a number from 0 to below 1, got ${shown(i.input)}` })
      .lt(1, { error: (i) => `must be a number from 0 to below 1, got ${shown(i.input)}` })
      .default(D.promotionMargin)
      .openapi({ description: 'the challenger is promoted when its test metric is lower than the champion by more' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    const task = TABULAR_PRESETS[b.model].task;
    const i = b.search.learners?.findIndex((name) => !LEARNERS[name].tasks.includes(task)) ?? -1;
    if (i >= 0)
      ctx.addIssue({
        code: 'custom',
        path: ['search', 'learners', i],
        message: `${b.search.learners![i]} does not do ${task}, the task of ${b.model}`,
      });
  })
  .openapi('TabularTrainingOptions');

const Metrics = z.record(z.string(), z.object({ mean: z.number(), std: z.number() }));
const Trial = z
  .object({
    trial: z.number().int(),
    learner: z.string(),
    params: z.record(z.string(), z.unknown()),
    metrics: Metrics.openapi({ description: 'cross-validation: mean and standard deviation over the folds' }),
    seconds: z.number(),
  })
  .openapi('TabularTrial');

const ComparisonRow = z
  .object({
    learner: z.string(),
    sampling: z.string().openapi({ example: 'smote' }),
    trial: z.number().int(),
    params: z.record(z.string(), z.unknown()),
    trials: z.number().int().openapi({ description: 'trials of this learner and sampling' }),
    threshold: z.number().openapi({ description: 'chosen on the validation folds (0.5 when the spec chose none)' }),
    recall: z.number(),
    precision: z.number(),
    f1: z.number(),
    logLoss: z.number(),
    rocAuc: z.number(),
    prAuc: z.number(),
  })
  .openapi('TabularComparisonRow');

const CurvePoint = z.object({
  threshold: z.number(),
  tp: z.number().int(),
  fp: z.number().int(),
  tn: z.number().int(),
  fn: z.number().int(),
  precision: z.number(),
  recall: z.number(),
  fpr: z.number(),
  f1: z.number(),
});

const TabularRun = z
  .object({
    run_id: z.string(),
    model: z.string(),
    status: z.string(),
    stage: z.string(),
    options: z.record(z.string(), z.unknown()),
    counts: z
      .record(z.string(), z.number())
      .openapi({ description: 'rows read and kept, train and test rows, trials total and done' }),
    best: z
      .object({ trial: z.number().int(), learner: z.string(), metrics: Metrics })
      .nullable()
      .openapi({ description: 'the best trial so far' }),
    model_version: z.number().int().nullable(),
    version_stage: z.string().nullable().openapi({ description: "where the run's version is now: production, ..." }),
    registration: z.record(z.string(), z.unknown()).nullable().openapi({
      description: 'the version, its label and test metrics, the champion on the same rows, promoted and why',
    }),
    error: z.string().nullable(),
    started_at: z.date(),
    ended_at: z.date().nullable(),
    temporalUrl: z.string(),
  })
  .openapi('TabularRun');

const Champion = z
  .object({
    version: z.number().int(),
    label: z.string(),
    runId: z.string(),
    trial: z.object({ trial: z.number().int(), learner: z.string(), params: z.record(z.string(), z.unknown()) }),
  })
  .nullable()
  .openapi('TabularChampion', { description: "the model's production version and the run and trial that made it" });

const RunId = z.object({ id: z.string().openapi({ example: `${TABULAR_RUN_PREFIX}bigmart-20261201T213000-1a2b` }) });

const start = createRoute({
  method: 'post',
  path: '/v1/tabular-runs',
  tags: ['tabular'],
  security: BEARER,
  summary: 'Start a tabularTraining run on a CSV in the project bucket; write',
  request: {
    body: { ...json(TabularRunBody, 'the model, its source; the split, search and margin default'), required: true },
  },
  responses: { 202: json(StartedSchema, 'started'), ...errors(400, 401, 403) },
});
const list = createRoute({
  method: 'get',
  path: '/v1/tabular-runs',
  tags: ['tabular'],
  summary: 'Tabular training runs, newest first',
  request: {
    query: z.object({
      model: z.string().optional().openapi({ example: 'bigmart', description: "only this model's runs" }),
      limit: Limit,
    }),
  },
  responses: { 200: json(z.object({ runs: z.array(TabularRun) }), 'runs'), ...errors(400) },
});
const follow = createRoute({
  method: 'get',
  path: '/v1/tabular-runs/{id}',
  tags: ['tabular'],
  summary:
    "One tabular run with its trials (in trial order), live progress while it runs, and the model's champion; one whose workflow closed without recording its end is settled",
  request: { params: RunId },
  responses: {
    200: json(
      TabularRun.extend({
        progress: z
          .object({
            stage: z.string(),
            trialsTotal: z.number().int(),
            trialsDone: z.number().int(),
            best: z.object({ trial: z.number().int(), learner: z.string(), metrics: Metrics }).nullable(),
          })
          .optional()
          .openapi({ description: 'while running' }),
        trials: z.array(Trial),
        champion: Champion,
        comparison: z.array(ComparisonRow).openapi({
          description:
            'classification runs: per learner x oversampling, the trial with the lowest cross-validated log loss (the seed 003 table); empty for regression',
        }),
      }),
      'the run',
    ),
    ...errors(404),
  },
});

const SORTS = 'trial, learner, seconds or a metric (rmse, mae, r2, ...)';
const trials = createRoute({
  method: 'get',
  path: '/v1/tabular-runs/{id}/trials',
  tags: ['tabular'],
  summary: "A run's trials, ordered by a column or a metric's cross-validation mean",
  request: {
    params: RunId,
    query: z.object({
      sort: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9_]{0,40}$/, { error: (i) => `must be ${SORTS}, got ${shown(i.input)}` })
        .default('trial')
        .openapi({ example: 'rmse', description: SORTS }),
      order: z.enum(['asc', 'desc'], { error: (i) => `must be asc or desc, got ${shown(i.input)}` }).default('asc'),
    }),
  },
  responses: {
    200: json(z.object({ sort: z.string(), order: z.string(), trials: z.array(Trial) }), 'the trials'),
    ...errors(400, 404),
  },
});
const evaluation = createRoute({
  method: 'get',
  path: '/v1/tabular-runs/{id}/evaluation',
  tags: ['tabular'],
  summary:
    "The version a run registered, predicted against actual on the run's test rows, and its feature importances when the learner has them",
  request: { params: RunId },
  responses: {
    200: json(
      z
        .object({
          runId: z.string(),
          model: z.string(),
          version: z.number().int(),
          learner: z.string(),
          target: z.string().openapi({ description: 'the column the model predicts', example: 'Item_Outlet_Sales' }),
          metrics: z.record(z.string(), z.number()).openapi({ description: 'on the test rows' }),
          points: z.array(z.object({ actual: z.number(), predicted: z.number() })).openapi({
            description: "one per test row, in the order of the run's test part",
          }),
          featureImportances: z
            .array(z.object({ feature: z.string(), importance: z.number() }))
            .nullable()
            .openapi({
              description: 'by encoded feature name, largest first, summing to 1; null for learners without',
            }),
          classification: z
            .object({
              threshold: z.number().openapi({ description: "the version's decision threshold; metrics are at it" }),
              curve: z.array(CurvePoint).openapi({
                description:
                  'one point per distinct score on the test rows, highest first: the ROC (fpr, recall) and precision-recall curves and what each threshold gives',
              }),
            })
            .optional()
            .openapi({ description: 'binary classification only' }),
        })
        .openapi('TabularEvaluation'),
      'the evaluation',
    ),
    ...errors(404, 409),
  },
});

export function tabularRunRoutes({ cfg, temporal, pool, store, keys }: ApiDeps) {
  const writer = requireRole(keys, 'write');
  const withUrl = <R extends { run_id: string; workflow_run_id: string | null }>({ workflow_run_id, ...r }: R) => ({
    ...r,
    temporalUrl: workflowUrl(cfg.temporal, r.run_id, workflow_run_id ?? undefined),
  });
  const runOr404 = async (id: string) => {
    const run = await tabularRun(pool, id);
    if (!run) throw notFound(`no tabular run ${id}`, 'id');
    return run;
  };

  return router()
    .openapi({ ...start, middleware: [writer] as const }, async (c) => {
      const body = c.req.valid('json');
      if (body.source.kind === 'csv') await checkBucketObject(store, 'source.uri', body.source.uri);
      const options: TabularTrainingOptions = body;
      const workflowId = newRunId(`${TABULAR_RUN_PREFIX}${options.model}-`);
      const handle = await temporal.workflow.start<typeof tabularTraining>('tabularTraining', {
        workflowId,
        taskQueue: cfg.temporal.taskQueues.training,
        args: [options],
        typedSearchAttributes: runSearchAttributes({ pipeline: 'tabular', model: options.model }),
      });
      return c.json(
        {
          workflowId,
          runId: handle.firstExecutionRunId,
          temporalUrl: workflowUrl(cfg.temporal, workflowId, handle.firstExecutionRunId),
        },
        202,
      );
    })
    .openapi(list, async (c) => {
      const { model, limit } = c.req.valid('query');
      return c.json({ runs: (await tabularRunList(pool, { model, limit })).map(withUrl) }, 200);
    })
    .openapi(follow, async (c) => {
      const { id } = c.req.valid('param');
      let run = await runOr404(id);
      // A run whose workflow closed without recording its end is settled first (when Temporal answers at once).
      if (!run.ended_at && (await briefly(temporal, () => currentRun(pool, temporal, id)))?.ended_at)
        run = await runOr404(id);
      const [progress, runTrials, champion] = await Promise.all([
        run.ended_at ? undefined : liveProgress(temporal, id, tabularProgressQuery),
        tabularTrials(pool, id),
        tabularChampion(pool, run.model),
      ]);
      return c.json(
        {
          ...withUrl(run),
          progress,
          trials: runTrials,
          champion: champion ?? null,
          comparison: comparisonTable(runTrials),
        },
        200,
      );
    })
    .openapi(trials, async (c) => {
      const { id } = c.req.valid('param');
      const { sort, order } = c.req.valid('query');
      await runOr404(id);
      const columns = ['trial', 'learner', 'seconds'] as const;
      const by = columns.find((col) => col === sort);
      const sorted = await orderedTabularTrials(
        pool,
        id,
        by ? { by } : { by: 'metric', metric: sort },
        order === 'desc',
      );
      if (!by && sorted.length && !sorted.some((t) => sort in t.metrics))
        throw new ApiError(
          400,
          'invalid_request',
          `sort: must be trial, learner, seconds or a metric of the trials (${Object.keys(sorted[0]!.metrics).sort().join(', ')}), got "${sort}"`,
          'sort',
        );
      return c.json({ sort, order, trials: sorted }, 200);
    })
    .openapi(evaluation, async (c) => {
      const { id } = c.req.valid('param');
      const run = await runOr404(id);
      const version = run.model_version;
      if (version === null)
        throw new ApiError(
          409,
          'conflict',
          `tabular run ${id} has registered no version (it is ${run.status}, at ${run.stage}); evaluate it once it is done`,
        );
      const result = await tabularRunEvaluation(pool, store, { run_id: id, model: run.model, model_version: version });
      if (!result) throw notFound(`version ${version} of ${run.model}, registered by run ${id}, no longer exists`);
      return c.json({ runId: id, model: run.model, ...result }, 200);
    });
}
