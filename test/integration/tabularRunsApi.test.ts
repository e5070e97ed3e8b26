// The tabular run routes against the real stack: a generated BigMart Train.csv uploaded to the
// bucket, POST /v1/tabular-runs starting tabularTraining (a real worker: trials in threads,
// Postgres, GCS, the registry), then the run with its trials and the champion, the listing, the
// trials in any order, the evaluation on the run's test rows, the runs overview; 400s naming the
// field, 404s and 409. Its own Postgres schema and task queue.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import { DEFAULT_TABULAR_TRAINING, TABULAR_MODELS, type TabularTrainingOptions } from '../../contracts/tabular.ts';
import { predictTabular, scoreOf } from '../../ml/tabular/evaluate.ts';
import { BIGMART_SPEC } from '../../ml/tabular/presets/bigmart.ts';
import { targets } from '../../ml/tabular/rows.ts';
import type { Config } from '../../platform/config.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { readRowSet } from '../../platform/tabularData.ts';
import { fittedTabular, tabularVersions } from '../../platform/tabularRegistry.ts';
import { recordTabularRun } from '../../platform/tabularRuns.ts';
import { BIGMART_TRAIN_HEADER, bigmartCsv, generateBigMart } from '../../scripts/data/bigmartGenerator.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { isolatedSchema, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';

const WRITER = 'writer-key-for-tabular-run-tests';
const READER = 'reader-key-for-tabular-run-tests';

type ProjectError = { error: { code: string; message: string; field?: string } };
type Metrics = Record<string, { mean: number; std: number }>;
interface Trial {
  trial: number;
  learner: string;
  params: Record<string, unknown>;
  metrics: Metrics;
  seconds: number;
}
interface Run {
  run_id: string;
  model: string;
  status: string;
  stage: string;
  options: TabularTrainingOptions;
  counts: Record<string, number>;
  best: { trial: number; learner: string; metrics: Metrics } | null;
  model_version: number | null;
  version_stage: string | null;
  registration: { version: number; promoted: boolean; metrics: Record<string, number> } | null;
  trials: Trial[];
  champion: { version: number; runId: string; trial: { trial: number; learner: string } } | null;
  progress?: { stage: string; trialsDone: number; trialsTotal: number };
  temporalUrl: string;
}
interface Evaluation {
  runId: string;
  version: number;
  learner: string;
  metrics: Record<string, number>;
  points: { actual: number; predicted: number }[];
  featureImportances: { feature: string; importance: number }[] | null;
}

describe('tabular run API against the real stack (generated BigMart)', () => {
  let isolated: IsolatedSchema;
  let cfg: Config;
  let apiDeps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  let uri: string;
  let train: ReturnType<typeof generateBigMart>['train'];
  const store = new ObjectStore(testConfig().gcs);

  const post = (url: string, body: unknown, key: string | null = WRITER) =>
    app.request(url, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    });
  const get = async <T = Record<string, unknown>>(url: string) => {
    const res = await app.request(url);
    return { status: res.status, body: (await res.json()) as T & ProjectError };
  };
  const small = (learners: string[], promotionMargin = 0) => ({
    model: 'bigmart',
    source: { kind: 'csv', uri },
    split: { kind: 'random', testShare: 0.2, seed: 3 },
    search: { kind: 'random', trials: 4, concurrency: 2, folds: 2, seed: 1, learners },
    promotionMargin,
  });
  const byYear = (testFrom: string, testTo: string) => ({
    kind: 'period',
    column: 'Outlet_Establishment_Year',
    testFrom,
    testTo,
  });
  /** Starts a run through the API and follows it with GET until it ends; the stages it saw on the way. */
  const runToEnd = async (body: unknown) => {
    const res = await post('/v1/tabular-runs', body);
    assert.equal(res.status, 202, await res.clone().text());
    const { workflowId } = (await res.json()) as { workflowId: string };
    const seen = new Set<string>();
    const run = await withWorker(cfg, cfg.temporal.taskQueues.training, () =>
      until(
        `tabular run ${workflowId} to end`,
        async () => {
          const { status, body: r } = await get<Run>(`/v1/tabular-runs/${workflowId}`);
          if (status !== 200) return undefined;
          seen.add(r.progress?.stage ?? r.stage);
          return r.status !== 'running' && r;
        },
        { seconds: 180 },
      ),
    );
    return { run, seen };
  };

  before(async () => {
    const base = testConfig({ API_KEYS: `trainer:write:${WRITER},viewer:read:${READER}` });
    isolated = await isolatedSchema(base, 'tabapi');
    // A queue of its own (the config types the queue names as the deployment's): only this file's
    // worker runs its workflows, against its schema.
    const training = uniqueId('tabular-api') as Config['temporal']['taskQueues']['training'];
    cfg = {
      ...isolated.cfg,
      temporal: { ...isolated.cfg.temporal, taskQueues: { ...isolated.cfg.temporal.taskQueues, training } },
    };
    apiDeps = createApiDeps(cfg);
    app = createApp(apiDeps);
    ({ train } = generateBigMart({ seed: 8, rows: 700 }));
    uri = await store.write(
      `${uniqueId('uploads/bigmart')}/Train.csv`,
      bigmartCsv(BIGMART_TRAIN_HEADER, train),
      'text/csv',
    );
  });
  after(async () => {
    await closeApiDeps(apiDeps);
    await isolated.drop();
  });

  it('refuses bad bodies with 400 naming the field, and starting without a write key', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ source: { kind: 'csv', uri } }, 'model', /is required/],
      [
        { ...small(['ridge']), model: 'rossmann' },
        'model',
        new RegExp(`must be one of ${TABULAR_MODELS.join(', ')}, got "rossmann"`),
      ],
      [{ model: 'bigmart' }, 'source', /./],
      [{ ...small(['ridge']), source: { kind: 'csv', uri: '/tmp/Train.csv' } }, 'source.uri', /gs:\/\/<bucket>/],
      [{ ...small(['ridge']), source: { kind: 'ftp', uri } }, 'source.kind', /./],
      [{ ...small(['ridge']), source: { kind: 'postgres', uri } }, 'source.table', /expected string/],
      [{ ...small(['ridge']), source: { kind: 'bigquery', table: 'a;b' } }, 'source.table', /must be a table name/],
      [{ ...small(['ridge']), source: { kind: 'csv', uri: 'gs://another-bucket/Train.csv' } }, 'source.uri', /./],
      [{ ...small(['ridge']), source: { kind: 'csv', uri: `${uri}.missing` } }, 'source.uri', /does not exist/],
      [{ ...small(['ridge']), split: { kind: 'shuffled' } }, 'split.kind', /random, stratified, time or period/],
      [{ ...small(['ridge']), split: byYear('2004', '2004') }, 'split.testTo', /must come after testFrom 2004/],
      [
        { ...small(['ridge']), split: { ...byYear('2004', '2009'), trainFrom: '2005' } },
        'split.trainFrom',
        /must come before testFrom 2004/,
      ],
      [{ ...small(['ridge']), split: { ...byYear('2004', '2009'), testFrom: 2004 } }, 'split.testFrom', /must be text/],
      [{ ...small(['ridge']), split: { kind: 'random', testShare: 1 } }, 'split.testShare', /between 0 and 1, got 1/],
      [{ ...small(['ridge']), search: { trials: 0 } }, 'search.trials', /from 1 to 1000, got 0/],
      [{ ...small(['ridge']), search: { folds: 2.5 } }, 'search.folds', /whole number from 2 to 20, got 2.5/],
      [{ ...small(['ridge']), search: { learners: ['ridge', 'magic'] } }, 'search.learners.1', /got "magic"/],
      [{ ...small(['ridge']), search: { learners: ['logistic'] } }, 'search.learners.0', /does not do regression/],
      [{ ...small(['ridge']), promotionMargin: 1 }, 'promotionMargin', /below 1, got 1/],
      [{ ...small(['ridge']), colour: 'blue' }, 'body', /"colour" is not a field of this request/],
    ];
    for (const [body, field, message] of cases) {
      const res = await post('/v1/tabular-runs', body);
      const { error } = (await res.json()) as ProjectError;
      assert.equal(res.status, 400, JSON.stringify({ body, error }));
      assert.equal(error.field, field, JSON.stringify({ body, error }));
      assert.match(error.message, message);
      assert.ok(error.message.startsWith(`${field}: `), error.message);
    }
    assert.equal((await post('/v1/tabular-runs', small(['ridge']), null)).status, 401);
    assert.equal((await post('/v1/tabular-runs', small(['ridge']), READER)).status, 403);
    assert.deepEqual((await get<{ runs: Run[] }>('/v1/tabular-runs')).body.runs, [], 'no run was started');
  });

  let first: Run;
  let second: Run;

  it('starts a run that trains and registers; GET shows it with its trials, its version in production and the champion', async () => {
    const { run, seen } = await runToEnd(small(['ridge', 'lasso']));
    first = run;
    assert.equal(run.status, 'done', run.status);
    assert.ok(seen.has('done'));
    // The options as run: what was sent, the rest from the contracts' defaults.
    assert.deepEqual(run.options.search, {
      kind: 'random',
      trials: 4,
      concurrency: 2,
      folds: 2,
      seed: 1,
      learners: ['ridge', 'lasso'],
    });
    assert.equal(run.options.promotionMargin, 0);
    assert.deepEqual(
      run.trials.map((t) => t.trial),
      [0, 1, 2, 3],
    );
    assert.deepEqual([...new Set(run.trials.map((t) => t.learner))].sort(), ['lasso', 'ridge']);
    assert.equal(run.counts.trialsDone, 4);
    assert.equal(run.counts.train! + run.counts.test!, run.counts.rows);
    const best = Math.min(...run.trials.map((t) => t.metrics.rmse!.mean));
    assert.equal(run.best!.metrics.rmse!.mean, best);
    assert.equal(run.registration!.promoted, true);
    assert.equal(run.version_stage, 'production');
    assert.deepEqual(
      { version: run.champion!.version, runId: run.champion!.runId, trial: run.champion!.trial.trial },
      { version: run.model_version, runId: run.run_id, trial: run.best!.trial },
    );
    assert.match(run.temporalUrl, new RegExp(run.run_id));
    assert.equal(run.progress, undefined, 'no live progress once ended');
  });

  it('lists runs newest first, by model; a run that does not beat the champion stays in staging and names it', async () => {
    const { run } = await runToEnd(small(['tree'], 0.9));
    second = run;
    assert.equal(run.status, 'done');
    assert.equal(run.registration!.promoted, false);
    assert.equal(run.version_stage, 'staging');
    assert.equal(run.champion!.runId, first.run_id, 'the champion is still the first run');

    const all = await get<{ runs: Run[] }>('/v1/tabular-runs');
    assert.deepEqual(
      all.body.runs.map((r) => [r.run_id, r.version_stage]),
      [
        [second.run_id, 'staging'],
        [first.run_id, 'production'],
      ],
    );
    assert.deepEqual(
      (await get<{ runs: Run[] }>('/v1/tabular-runs?model=bigmart&limit=1')).body.runs.map((r) => r.run_id),
      [second.run_id],
    );
    assert.deepEqual((await get<{ runs: Run[] }>('/v1/tabular-runs?model=air-quality')).body.runs, []);
    assert.equal((await get('/v1/tabular-runs?limit=0')).body.error.field, 'limit');

    // The runs overview has them too.
    const overview = await get<{ runs: { id: string; kind: string; status: string; engine: string }[] }>(
      '/v1/runs?kind=tabular',
    );
    assert.deepEqual(
      overview.body.runs.map((r) => [r.id, r.kind, r.status, r.engine]),
      [
        [second.run_id, 'tabular', 'done', 'bigmart'],
        [first.run_id, 'tabular', 'done', 'bigmart'],
      ],
    );
    assert.equal((await get<{ kind: string }>(`/v1/runs/${first.run_id}`)).body.kind, 'tabular');
  });

  it("orders a run's trials by a metric or a column, either way", async () => {
    const byRmse = (await get<{ trials: Trial[] }>(`/v1/tabular-runs/${first.run_id}/trials?sort=rmse`)).body.trials;
    assert.deepEqual(
      byRmse.map((t) => t.trial),
      [...first.trials]
        .sort((a, b) => a.metrics.rmse!.mean - b.metrics.rmse!.mean || a.trial - b.trial)
        .map((t) => t.trial),
    );
    const byR2 = (await get<{ trials: Trial[] }>(`/v1/tabular-runs/${first.run_id}/trials?sort=r2&order=desc`)).body
      .trials;
    assert.deepEqual(
      byR2.map((t) => t.trial),
      [...first.trials]
        .sort((a, b) => b.metrics.r2!.mean - a.metrics.r2!.mean || a.trial - b.trial)
        .map((t) => t.trial),
    );
    const bySeconds = (
      await get<{ trials: Trial[] }>(`/v1/tabular-runs/${first.run_id}/trials?sort=seconds&order=desc`)
    ).body.trials;
    assert.deepEqual(
      bySeconds.map((t) => t.seconds),
      first.trials.map((t) => t.seconds).sort((a, b) => b - a),
    );
    const unknown = await get(`/v1/tabular-runs/${first.run_id}/trials?sort=accuracy`);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.field, 'sort');
    assert.match(unknown.body.error.message, /\(mae, r2, rmse\), got "accuracy"/);
    assert.equal((await get(`/v1/tabular-runs/${first.run_id}/trials?sort=rmse;drop`)).body.error.field, 'sort');
    assert.equal((await get(`/v1/tabular-runs/${first.run_id}/trials?order=up`)).body.error.field, 'order');
  });

  it("evaluates the run's registered version on its test rows; a tree model has feature importances", async () => {
    const linear = await get<Evaluation>(`/v1/tabular-runs/${first.run_id}/evaluation`);
    assert.equal(linear.status, 200);
    assert.equal(linear.body.version, first.model_version);
    assert.equal(linear.body.points.length, first.counts.test);
    // The registered model on the run's own test rows: the numbers its registration recorded.
    assert.deepEqual(linear.body.metrics, first.registration!.metrics);
    const test = await readRowSet(store, first.run_id, 'test');
    const version = (await tabularVersions(isolated.pool, 'bigmart')).find((v) => v.version === first.model_version)!;
    const predicted = predictTabular(await fittedTabular(store, version.params), test);
    assert.deepEqual(
      linear.body.points,
      targets(BIGMART_SPEC, test).map((actual, i) => ({ actual, predicted: predicted[i] })),
    );
    assert.deepEqual(scoreOf(BIGMART_SPEC, targets(BIGMART_SPEC, test), predicted), linear.body.metrics);
    assert.equal(linear.body.featureImportances, null, `${linear.body.learner} has no importances`);

    const tree = await get<Evaluation>(`/v1/tabular-runs/${second.run_id}/evaluation`);
    assert.equal(tree.body.learner, 'tree');
    const importances = tree.body.featureImportances!;
    const secondVersion = (await tabularVersions(isolated.pool, 'bigmart')).find(
      (v) => v.version === second.model_version,
    )!;
    assert.deepEqual(
      importances.map((f) => f.feature).sort(),
      [...secondVersion.params.preprocessing.featureNames].sort(),
      'every encoded feature, by name',
    );
    assert.ok(Math.abs(importances.reduce((a, f) => a + f.importance, 0) - 1) < 1e-9);
    for (let i = 1; i < importances.length; i++)
      assert.ok(importances[i - 1]!.importance >= importances[i]!.importance);
  });

  it('answers 404 for an unknown run and 409 for the evaluation of a run that registered nothing yet', async () => {
    for (const path of ['', '/trials', '/evaluation']) {
      const res = await get(`/v1/tabular-runs/tabular-nope${path}`);
      assert.equal(res.status, 404, path);
      assert.match(res.body.error.message, /no tabular run tabular-nope/);
    }
    const searching = uniqueId('tabular-searching');
    await recordTabularRun(isolated.pool, {
      runId: searching,
      workflowRunId: 'none',
      stage: 'searching',
      options: { ...DEFAULT_TABULAR_TRAINING, model: 'bigmart', source: { kind: 'csv', uri } },
      counts: { trialsTotal: 4, trialsDone: 1 },
    });
    const res = await get(`/v1/tabular-runs/${searching}/evaluation`);
    assert.equal(res.status, 409);
    assert.match(res.body.error.message, /has registered no version.*searching/);
  });

  it('splits by period: outlets opened before 2004 train, from 2004 to before 2009 test, later ones are left out', async () => {
    const { run } = await runToEnd({
      ...small(['ridge']),
      split: byYear('2004', '2009'),
      search: { trials: 2, folds: 2 },
    });
    assert.equal(run.status, 'done', run.status);
    const years = train.map((r) => r.Outlet_Establishment_Year);
    assert.deepEqual(run.options.split, byYear('2004', '2009'));
    assert.equal(run.counts.rows, train.length);
    assert.equal(run.counts.train, years.filter((y) => y < '2004').length);
    assert.equal(run.counts.test, years.filter((y) => y >= '2004' && y < '2009').length);
    assert.ok(run.counts.train + run.counts.test < run.counts.rows, 'the 2009 outlets are in neither part');
  });
});
