// Serving tabular models against the real stack: versions fitted on generated BigMart rows and
// registered through the registry (a ridge inline in Postgres, a forest in GCS), then the API:
// predictions equal predictTabular on the same rows, a promotion or rollback is served from the next
// request (NOTIFY), promote and rollback need the admin role, every bad input is a 400 naming the
// field, an unknown model a 404, no production version a 409; the seed's /predict/ with its integer
// codes and with labels, and the segmentation seed's /predict beside it. Its own Postgres schema.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import { MAX_INSTANCES } from '../../api/tabularSchemas.ts';
import { DEFAULT_TABULAR_TRAINING } from '../../contracts/tabular.ts';
import { fitTabular, predictTabular, type FittedTabular } from '../../ml/tabular/evaluate.ts';
import { BIGMART_SPEC, BIGMART_TARGET } from '../../ml/tabular/presets/bigmart.ts';
import { filterRows } from '../../ml/tabular/rows.ts';
import type { RawRow } from '../../ml/tabular/values.ts';
import { registry } from '../../platform/metrics.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { recordTabularRun } from '../../platform/tabularRuns.ts';
import { createLogger } from '../../platform/logger.ts';
import { ProductionModels } from '../../platform/productionModels.ts';
import { promoteTabularVersion, registerTabularVersion, tabularVersions } from '../../platform/tabularRegistry.ts';
import { generateBigMart } from '../../scripts/data/bigmartGenerator.ts';
import { sampleValue } from '../helpers/scrape.ts';
import { isolatedSchema, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';

const ADMIN = 'admin-key-for-tabular-serving';
const READER = 'read-key-for-tabular-serving';
const MODEL = 'bigmart';

type Answer = {
  status: number;
  body: Record<string, unknown> & { error: { code: string; message: string; field?: string } };
};
type Prediction = { predictions: number[]; model: string; model_version: number; model_label: string };

/** A Test.csv row as a JSON client sends it: numbers as numbers, blanks as null. */
const asInstance = (row: Record<string, string | undefined>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(row)
      .filter(([c]) => c !== BIGMART_TARGET)
      .map(([c, v]) => [c, v === '' || v === undefined ? null : /^-?[\d.]+$/.test(v) ? Number(v) : v]),
  );

describe('tabular model serving against the real stack', () => {
  let isolated: IsolatedSchema;
  let deps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  const store = new ObjectStore(testConfig().gcs);
  let training: RawRow[];
  let instances: Record<string, unknown>[];
  let ridge: FittedTabular;
  let forest: FittedTabular;
  let later: FittedTabular;

  const request = async (method: string, url: string, body?: unknown, key?: string): Promise<Answer> => {
    const res = await app.request(url, {
      method,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };
  const post = (url: string, body?: unknown, key?: string) => request('POST', url, body, key);
  const predict = (body: unknown, name = MODEL) => post(`/v1/models/${name}/predict`, body);
  const register = (runId: string, fitted: FittedTabular, learner: string, promoted: boolean, model = MODEL) =>
    registerTabularVersion(
      isolated.pool,
      store,
      {
        model,
        runId,
        fitted,
        spec: BIGMART_SPEC,
        trial: { trial: 0, learner, params: {} },
        metrics: { test: { rmse: 1 }, crossValidation: { rmse: { mean: 1, std: 0 } }, trials: 1 },
      },
      (champion) =>
        Promise.resolve({
          promoted,
          reason: promoted ? 'test: promoted' : 'test: kept as a challenger',
          metrics: { rmse: 1 },
          champion: champion ? { version: champion.version, metrics: { rmse: 1 } } : null,
        }),
    );
  /** This process's count of tabular promotions (the API's and the registry's). */
  const promotions = async () =>
    sampleValue(await registry.metrics(), 'retailflow_promotions_total', { kind: 'tabular' });
  /** Waits until the API serves this version (a promotion reaches it by NOTIFY). */
  const served = (version: number) =>
    until(
      `version ${version} served`,
      async () => {
        const answer = await predict({ instances });
        return answer.status === 200 && (answer.body as unknown as Prediction).model_version === version && answer;
      },
      { seconds: 10 },
    );

  before(async () => {
    isolated = await isolatedSchema(testConfig({ API_KEYS: `ops:admin:${ADMIN},viewer:read:${READER}` }), 'tabsrv');
    deps = createApiDeps(isolated.cfg);
    app = createApp(deps);
    const { train, test } = generateBigMart({ seed: 11, rows: 500 });
    training = filterRows(BIGMART_SPEC, train).rows;
    instances = test.slice(0, 25).map(asInstance);
    ridge = fitTabular(BIGMART_SPEC, training, 'ridge', {}, 0);
    forest = fitTabular(BIGMART_SPEC, training, 'forest', { trees: 60 }, 0);
    later = fitTabular(BIGMART_SPEC, training, 'lasso', {}, 0);
  });
  after(async () => {
    if (deps) await closeApiDeps(deps);
    await isolated?.drop();
  });

  it('answers 409 saying what to run for a preset not trained yet, 404 for an unknown name, and 409 while none is in production', async () => {
    for (const answer of [await predict({ instances }), await request('GET', `/v1/models/${MODEL}/ping`)]) {
      assert.equal(answer.status, 409, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, 'not_trained');
      assert.match(
        answer.body.error.message,
        /bigmart" has no version yet: run the tabularTraining workflow \(POST \/v1\/tabular-runs/,
      );
    }
    // the other presets and the seed's air-quality route alike, each naming its own training
    for (const [url, training] of [
      ['/v1/models/air-quality/ping', /airQualityTraining workflow \(POST \/v1\/schedules\/daily-air-quality\/trigger/],
      ['/air-quality/ping', /import-air-quality AirQualityUCI\.csv\), then run the airQualityTraining workflow/],
      [
        '/v1/models/power-user/ping',
        /powerUserTraining workflow \(POST \/v1\/power-user-runs, or npm run data -- train-power-users\)/,
      ],
    ] as const) {
      const answer = await request('GET', url);
      assert.equal(answer.status, 409, `${url}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, 'not_trained');
      assert.match(answer.body.error.message, training);
    }
    for (const answer of [
      await request('GET', '/v1/models/no-such-model/ping'),
      await post('/v1/models/no-such-model/predict', { instances }),
      await request('GET', `/v1/models/${MODEL}/versions`),
      await post(`/v1/models/${MODEL}/versions/1/promote`, undefined, ADMIN),
      await post(`/v1/models/${MODEL}/rollback`, { from: 1 }, ADMIN),
    ]) {
      assert.equal(answer.status, 404, JSON.stringify(answer.body));
      assert.deepEqual([answer.body.error.code, answer.body.error.field], ['not_found', 'name']);
    }
    // a model of another kind is no tabular model
    await isolated.pool.query(`INSERT INTO models (name, kind) VALUES ('forecast-like', 'sales_forecast')`);
    assert.equal((await request('GET', '/v1/models/forecast-like/ping')).status, 404);
    assert.equal((await request('GET', '/v1/models/forecast-like/versions')).status, 404);

    await register(uniqueId('tabular-serving-a'), ridge, 'ridge', false);
    for (const answer of [await predict({ instances }), await request('GET', `/v1/models/${MODEL}/ping`)]) {
      assert.equal(answer.status, 409);
      assert.equal(answer.body.error.code, 'no_production_version');
      assert.match(answer.body.error.message, /run the tabularTraining workflow \(POST \/v1\/tabular-runs/);
    }
    const seed = await post('/predict/', {
      features: {
        Item_Visibility: 0.05,
        Item_MRP: 120,
        Outlet_Establishment_Year: 1999,
        Outlet_Location_Type: 0,
        Outlet_Type: 'Supermarket Type1',
      },
    });
    assert.equal(seed.status, 409);
    assert.match(seed.body.error as unknown as string, /tabularTraining workflow/, "the seed's error shape");
  });

  it('promotes a version (admin only) and predicts exactly as predictTabular does on the same rows', async () => {
    const promote = (key?: string) => post(`/v1/models/${MODEL}/versions/1/promote`, undefined, key);
    assert.equal((await promote()).status, 401);
    const forbidden = await promote(READER);
    assert.equal(forbidden.status, 403);
    const counted = await promotions();
    const done = await promote(ADMIN);
    assert.equal(done.status, 200);
    assert.deepEqual(done.body, { model: MODEL, version: 1, changed: true, replaced: null });
    const again = await promote(ADMIN);
    assert.deepEqual(again.body, { model: MODEL, version: 1, changed: false, replaced: null });
    assert.equal(await promotions(), counted + 1, 'the promotion that changed nothing is not counted');

    const answer = (await served(1)).body as unknown as Prediction;
    assert.deepEqual(answer.predictions, predictTabular(ridge, instances));
    assert.equal(answer.model, MODEL);
    assert.match(answer.model_label, /^\d{8}_\d{6}$/);
    const ping = await request('GET', `/v1/models/${MODEL}/ping`);
    assert.equal(ping.status, 200);
    assert.deepEqual(
      { ...ping.body, run_id: undefined },
      { model: MODEL, ready: true, version: 1, label: answer.model_label, learner: 'ridge', run_id: undefined },
    );
  });

  it('serves a promoted forest stored in GCS from the next request, lists the versions, and rolls back', async () => {
    const run = uniqueId('tabular-serving-b');
    const registration = await register(run, forest, 'forest', false);
    assert.equal(registration.version, 2);
    const [stored] = await tabularVersions(isolated.pool, MODEL);
    assert.ok('object' in stored!.params.model, 'the forest went to GCS');
    assert.equal((await predict({ instances })).body.model_version, 1, 'a challenger is not served');

    const promoted = await post(`/v1/models/${MODEL}/versions/2/promote`, undefined, ADMIN);
    assert.deepEqual(promoted.body, { model: MODEL, version: 2, changed: true, replaced: 1 });
    const answer = (await served(2)).body as unknown as Prediction;
    assert.deepEqual(answer.predictions, predictTabular(forest, instances));

    const listed = await request('GET', `/v1/models/${MODEL}/versions`);
    assert.equal(listed.status, 200);
    const versions = listed.body.versions as Record<string, unknown>[];
    assert.equal(listed.body.production, 2);
    assert.deepEqual(
      versions.map((v) => [v.version, v.stage, v.learner, v.replaced]),
      [
        [2, 'production', 'forest', 1],
        [1, 'archived', 'ridge', null],
      ],
    );
    assert.equal(versions[0]!.run_id, run);
    assert.match(String(versions[0]!.label), /^\d{8}_\d{6}$/);
    assert.deepEqual(versions[0]!.metrics, {
      test: { rmse: 1 },
      crossValidation: { rmse: { mean: 1, std: 0 } },
      trials: 1,
    });

    // a run that beats the champion is promoted by its registration, replacing 2
    await register(uniqueId('tabular-serving-c'), later, 'lasso', true);
    assert.deepEqual((await served(3)).body.predictions, predictTabular(later, instances));

    const rollback = (from: unknown, key: string | null = ADMIN) =>
      post(`/v1/models/${MODEL}/rollback`, from === undefined ? {} : { from }, key ?? undefined);
    assert.equal((await rollback(3, null)).status, 401);
    assert.equal((await rollback(3, READER)).status, 403);
    const back = await rollback(3);
    assert.deepEqual(back.body, { model: MODEL, version: 2, changed: true, replaced: 3 });
    assert.deepEqual((await served(2)).body.predictions, predictTabular(forest, instances));
    const repeated = await rollback(3);
    assert.deepEqual(
      repeated.body,
      { model: MODEL, version: 2, changed: false, replaced: 3 },
      'a retry changes nothing',
    );

    // a second rollback goes one more promotion back: 2 had replaced 1
    assert.deepEqual((await rollback(2)).body, { model: MODEL, version: 1, changed: true, replaced: 2 });
    await served(1);
    const first = await rollback(1);
    assert.equal(first.status, 409);
    assert.deepEqual([first.body.error.code, first.body.error.field], ['nothing_earlier', 'from']);
    const notProduction = await rollback(3);
    assert.equal(notProduction.status, 409);
    assert.equal(notProduction.body.error.code, 'not_production');
    assert.match(notProduction.body.error.message, /version 3 of "bigmart" is not in production \(version 1 is\)/);
    const unknown = await rollback(9);
    assert.deepEqual([unknown.status, unknown.body.error.field], [404, 'from']);
    const noFrom = await rollback(undefined);
    assert.deepEqual([noFrom.status, noFrom.body.error.field], [400, 'from']);
    const unknownVersion = await post(`/v1/models/${MODEL}/versions/9/promote`, undefined, ADMIN);
    assert.deepEqual([unknownVersion.status, unknownVersion.body.error.field], [404, 'version']);

    const after = await tabularVersions(isolated.pool, MODEL);
    assert.deepEqual(
      after.map((v) => [v.version, v.stage, v.rolledBackAt !== null]),
      [
        [3, 'archived', true],
        [2, 'archived', true],
        [1, 'production', false],
      ],
    );
  });

  it('refuses bad instances with a 400 naming the field', async () => {
    const one = instances[0]!;
    const without = (column: string) => Object.fromEntries(Object.entries(one).filter(([c]) => c !== column));
    const cases: [unknown, string, RegExp][] = [
      [{ instances: [one, without('Item_MRP')] }, 'instances.1.Item_MRP', /is required/],
      [{ instances: [without('Outlet_Type')] }, 'instances.0.Outlet_Type', /is required \(null for an unknown value/],
      [{ instances: [{ ...one, Item_MRP: 'cheap' }] }, 'instances.0.Item_MRP', /"cheap", not a number/],
      [{ instances: [{ ...one, Item_MRP: 'NaN' }] }, 'instances.0.Item_MRP', /"NaN", not a number/],
      [{ instances: [{ ...one, Item_MRP: null }] }, 'instances.0.Item_MRP', /cannot fill it in/],
      [
        { instances: [{ ...one, Outlet_Type: 'Hypermarket' }] },
        'instances.0.Outlet_Type',
        /not a category the model knows: .*"Supermarket Type1"/,
      ],
      [{ instances: [{ ...one, Shelf: 3 }] }, 'instances.0.Shelf', /not an input of this model/],
      [{ instances: [{ ...one, [BIGMART_TARGET]: 3 }] }, `instances.0.${BIGMART_TARGET}`, /not an input of this model/],
      [{ instances: [one, [1, 2]] }, 'instances.1', /must be an object of column values/],
      [{ instances: [] }, 'instances', /at least one instance/],
      [
        { instances: Array.from({ length: MAX_INSTANCES + 1 }, () => one) },
        'instances',
        /lists 1001 instances: send at most 1000/,
      ],
      [{}, 'instances', /is required/],
      [{ instances, extra: 1 }, 'body', /"extra" is not a field of this request/],
      [
        JSON.stringify({ instances: [one] }).replace('"Item_MRP":', '"Item_MRP": NaN, "x":'),
        'Item_MRP',
        /is NaN, not a number/,
      ],
    ];
    for (const [body, field, message] of cases) {
      const answer = await predict(body);
      assert.equal(answer.status, 400, `${field}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.field, field, answer.body.error.message);
      assert.match(answer.body.error.message, message);
      assert.ok(answer.body.error.message.startsWith(`${field}: `), answer.body.error.message);
    }
    // blanks where the model imputes (the weight by item, the outlet size as Unknown) are fine
    const blanks = { ...one, Item_Weight: null, Outlet_Size: null, Item_Visibility: 0 };
    const answer = await predict({ instances: [blanks] });
    assert.equal(answer.status, 200);
    assert.deepEqual((answer.body as unknown as Prediction).predictions, predictTabular(ridge, [blanks]));
    assert.equal((await predict({ instances }, 'nothing-here')).status, 404);
    assert.equal((await predict({ instances }, 'bad name!')).status, 400);
  });

  it("answers the seed's /predict/ with its integer codes or labels, through the model's own preprocessing", async () => {
    const seedFeatures = {
      Item_Weight: 9.3,
      Item_Visibility: 0.016047,
      Item_MRP: 249.8092,
      Outlet_Establishment_Year: 1999,
      Outlet_Size: 1,
      Outlet_Location_Type: 0,
      Outlet_Type: 'Supermarket Type2',
    };
    // what the model sees: the labels, and the columns the seed does not send as unknown
    const row = {
      ...seedFeatures,
      Outlet_Size: 'Medium',
      Outlet_Location_Type: 'Tier 3',
      Item_Identifier: null,
      Item_Fat_Content: null,
      Item_Type: null,
      Outlet_Identifier: null,
    };
    const [expected] = predictTabular(ridge, [row]);
    for (const [path, features] of [
      ['/predict/', seedFeatures],
      ['/predict/', { ...seedFeatures, Outlet_Size: 'Medium', Outlet_Location_Type: 'Tier 3' }],
      ['/predict', seedFeatures],
    ] as const) {
      const answer = await post(path, { features });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(answer.body, { prediction: expected }, `${path} ${JSON.stringify(features)}`);
    }
    // the seed's optional fields may be null or left out; an unknown size is its -1
    const blank = await post('/predict/', { features: { ...seedFeatures, Item_Weight: null, Outlet_Size: -1 } });
    assert.deepEqual(blank.body, {
      prediction: predictTabular(ridge, [{ ...row, Item_Weight: null, Outlet_Size: 'Unknown' }])[0],
    });
    // the other BigMart columns, when sent, are used
    const full = {
      ...seedFeatures,
      Item_Identifier: 'FDA15',
      Outlet_Identifier: 'OUT049',
      Item_Type: 'Dairy',
      Item_Fat_Content: 'LF',
    };
    assert.deepEqual((await post('/predict/', { features: full })).body, {
      prediction: predictTabular(ridge, [
        { ...row, ...full, Outlet_Size: 'Medium', Outlet_Location_Type: 'Tier 3' },
      ])[0],
    });

    const cases: [unknown, string, RegExp][] = [
      [
        { features: { ...seedFeatures, Outlet_Size: 7 } },
        'features.Outlet_Size',
        /must be a label or one of 0 \(Small\), 1 \(Medium\), 2 \(High\), -1 \(Unknown\), got 7/,
      ],
      [
        { features: { ...seedFeatures, Outlet_Location_Type: 'Tier 9' } },
        'features.Outlet_Location_Type',
        /not a category the model knows/,
      ],
      [
        { features: { ...seedFeatures, Outlet_Type: 'Hypermarket' } },
        'features.Outlet_Type',
        /not a category the model knows/,
      ],
      [{ features: { ...seedFeatures, Item_MRP: undefined } }, 'features.Item_MRP', /is required/],
      [{ features: { ...seedFeatures, Item_MRP: '249' } }, 'features.Item_MRP', /must be a number, got "249"/],
      [
        { features: { ...seedFeatures, Outlet_Establishment_Year: 1999.5 } },
        'features.Outlet_Establishment_Year',
        /whole number/,
      ],
      [{ features: { ...seedFeatures, Shelf: 2 } }, 'features', /"Shelf" is not a field of this request/],
      [{ features: [] }, 'features', /must be an object of the features/],
      [
        {},
        'body',
        /\{"latest_date", "transactions"\} for a customer's segment \(seed 000\), or \{"features": .*BigMart/,
      ],
      [[seedFeatures], 'body', /JSON object/],
      [JSON.stringify({ features: seedFeatures }).replace('9.3', 'NaN'), 'Item_Weight', /is NaN, not a number/],
    ];
    for (const [body, field, message] of cases) {
      const answer = await post('/predict/', body);
      assert.equal(answer.status, 400, `${field}: ${JSON.stringify(answer.body)}`);
      const error = answer.body.error as unknown as string;
      assert.equal(typeof error, 'string', "the seed's error shape");
      assert.ok(error.startsWith(`${field}: `), error);
      assert.match(error, message);
    }
  });

  it("keeps the segmentation seed's /predict on its own body (no segmentation model here: its 409)", async () => {
    const body = {
      latest_date: '2011-12-11',
      transactions: [
        { customer_id: 12347, invoice_no: '536365', invoice_date: '2011-12-08', quantity: 6, unit_price: 2.55 },
      ],
    };
    for (const path of ['/predict', '/predict/']) {
      const answer = await post(path, body);
      assert.equal(answer.status, 409, path);
      assert.match(answer.body.error as unknown as string, /run segmentation/);
    }
    const bad = await post('/predict', { latest_date: '2011-12-11' });
    assert.deepEqual(bad.body, { error: 'transactions: is required' });
  });

  it("never serves another kind's model held in memory as a tabular one", async () => {
    await isolated.pool.query(`INSERT INTO models (name, kind) VALUES ('customer_segments', 'segmentation')`);
    await isolated.pool.query(
      `INSERT INTO model_versions (model, version, stage, engine, params, metrics, training_run)
       VALUES ('customer_segments', 1, 'production', 'kmeans', '{}', '{}', $1)`,
      [uniqueId('segmentation-run')],
    );
    // the seed's /predict above kept "none" in memory; the registry would have announced this one
    deps.models.forget(['customer_segments']);
    assert.equal((await deps.models.segmentation())?.version, 1, 'the segmentation model is in memory');
    for (const answer of [
      await request('GET', '/v1/models/customer_segments/ping'),
      await predict({ instances }, 'customer_segments'),
    ]) {
      assert.equal(answer.status, 404, JSON.stringify(answer.body));
      assert.equal(answer.body.error.field, 'name');
    }
  });

  it('keeps no "no production version": the first promotion is served by the next request, NOTIFY heard or not', async () => {
    // Not listening: only what the cache keeps could hide the promotion.
    const models = new ProductionModels(isolated.pool, store, createLogger('test', 'silent'));
    const name = 'bigmart-unheard';
    const { version } = await register(uniqueId('tabular-serving-unheard'), ridge, 'ridge', false, name);
    assert.equal(await models.tabular(name), undefined);
    await promoteTabularVersion(isolated.pool, name, version);
    assert.equal((await models.tabular(name))?.version, version);
    await models.close();
  });

  it('counts a promoted registration once: the registering step retried after its commit counts nothing', async () => {
    const runId = uniqueId('counted-run');
    // The run's row, as the workflow records it before it registers: where its registration is kept.
    await recordTabularRun(isolated.pool, {
      runId,
      workflowRunId: 'none',
      stage: 'registering',
      options: {
        ...DEFAULT_TABULAR_TRAINING,
        model: 'counted-model',
        source: { kind: 'csv', uri: 'gs://b/train.csv' },
      },
      counts: {},
    });
    const counted = await promotions();
    const first = await register(runId, ridge, 'ridge', true, 'counted-model');
    assert.equal(first.promoted, true);
    assert.equal(await promotions(), counted + 1);
    assert.deepEqual(await register(runId, ridge, 'ridge', true, 'counted-model'), first);
    assert.equal(await promotions(), counted + 1);
  });
});
