// tabularBatchScoring end to end on the real stack: a bigmart version trained on a generated
// Train.csv, then the generated Test.csv (one row with a bad price) scored through Temporal with a
// real worker into Postgres and BigQuery; a rerun writes nothing new; a Postgres table and a
// BigQuery table scored the same way. Its own Postgres schema.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import { createApp } from '../../api/app.ts';
import { BIGMART_SPEC } from '../../ml/tabular/presets/bigmart.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import type { TabularScoringInput, TabularScoringReport } from '../../contracts/tabularScoring.ts';
import { predictTabular } from '../../ml/tabular/evaluate.ts';
import type { RawRow } from '../../ml/tabular/values.ts';
import type { DataDeps } from '../../platform/deps.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { storedPredictions } from '../../platform/tabularPredictions.ts';
import { fittedTabular, tabularVersions } from '../../platform/tabularRegistry.ts';
import { connectClient } from '../../platform/temporal.ts';
import { Warehouse } from '../../platform/warehouse.ts';
import {
  BIGMART_TEST_HEADER,
  BIGMART_TRAIN_HEADER,
  bigmartCsv,
  generateBigMart,
} from '../../scripts/data/bigmartGenerator.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { tabularBatchScoring } from '../../workflows/tabularBatchScoring.ts';
import { tabularTraining } from '../../workflows/tabularTraining.ts';
import { bigmartPostgresTable, bigmartWarehouseTable } from '../helpers/bigmartTables.ts';
import { isolatedSchema, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

const BAD_INDEX = 5;
const WRITER = 'writer-key-for-batch-prediction-tests';

describe('tabularBatchScoring on the real stack (generated BigMart)', () => {
  let isolated: IsolatedSchema;
  let deps: DataDeps;
  let client: Client;
  let taskQueue: string;
  let testUri: string;
  let testRows: RawRow[];
  let version: number;
  const { train, test } = generateBigMart({ seed: 8, rows: 400 });
  const bad = { ...test[BAD_INDEX]!, Item_MRP: 'abc' };
  const table = uniqueId('bigmart_test').replace(/-/g, '_');
  const store = new ObjectStore(testConfig().gcs);
  const inWorker = <T>(work: () => Promise<T>) => withWorker(isolated.cfg, taskQueue, work);
  const score = (input: TabularScoringInput): Promise<TabularScoringReport> =>
    inWorker(() =>
      client.workflow.execute(tabularBatchScoring, {
        taskQueue,
        workflowId: uniqueId('tabular-scoring'),
        args: [input],
      }),
    );
  const warehouseRows = (dataset: string, v: number) =>
    deps.warehouse.query<{ row_key: string; prediction: number }>(
      `SELECT row_key, prediction FROM ${deps.warehouse.table('tabular_predictions')}
       WHERE model = 'bigmart' AND model_version = @v AND dataset = @dataset ORDER BY row_key`,
      { v, dataset },
    );

  before(async () => {
    isolated = await isolatedSchema(testConfig({ API_KEYS: `batch:write:${WRITER}` }), 'tabscore');
    deps = { pool: isolated.pool, store, warehouse: new Warehouse(testConfig().bigquery) };
    client = await connectClient(isolated.cfg.temporal);
    taskQueue = uniqueId('tabular-scoring');
    const trainUri = await store.write(
      `${uniqueId('uploads/bigmart')}/Train.csv`,
      bigmartCsv(BIGMART_TRAIN_HEADER, train),
      'text/csv',
    );
    const csv = bigmartCsv(
      BIGMART_TEST_HEADER,
      test.map((r, i) => (i === BAD_INDEX ? bad : r)),
    );
    testRows = parse<RawRow>(csv, { columns: true });
    testUri = await store.write(`${uniqueId('uploads/bigmart')}/Test.csv`, csv, 'text/csv');
    const trained = await inWorker(() =>
      client.workflow.execute(tabularTraining, {
        taskQueue,
        workflowId: uniqueId('tabular-for-scoring'),
        args: [
          {
            model: 'bigmart',
            source: { kind: 'csv', uri: trainUri },
            search: { kind: 'random', trials: 2, concurrency: 2, folds: 2, seed: 1, learners: ['ridge'] },
          },
        ],
      }),
    );
    version = trained.registration.version;
  });
  after(async () => {
    await deps?.warehouse.client.dataset(deps.warehouse.datasetId).table(table).delete({ ignoreNotFound: true });
    await client?.connection.close();
    await isolated?.drop();
  });

  let first: TabularScoringReport;

  it('scores Test.csv with the production version into Postgres and BigQuery; the bad row is rejected with its reason', async () => {
    first = await score({ model: 'bigmart', source: { kind: 'csv', uri: testUri } });
    assert.equal(first.version, version);
    assert.equal(first.dataset, testUri);
    assert.equal(first.read, test.length);
    assert.equal(first.rejected, 1);
    assert.equal(first.scored, test.length - 1);
    assert.equal(first.written, first.scored);
    assert.equal(first.warehouse, first.scored);

    const { rows: rejected } = await isolated.pool.query<{ line: string; reason: string; raw: string }>(
      'SELECT line, reason, raw FROM rejected_rows WHERE source = $1',
      [first.rejectedSource],
    );
    // the header is line 1
    assert.deepEqual(
      rejected.map((r) => [Number(r.line), r.reason]),
      [[BAD_INDEX + 2, `line ${BAD_INDEX + 2}: Item_MRP is "abc", not a number`]],
    );
    assert.equal((JSON.parse(rejected[0]!.raw) as RawRow).Item_MRP, 'abc');

    // Postgres holds each good row's prediction under its key, as predictTabular gives it (the API's path).
    const [stored] = (await tabularVersions(isolated.pool, 'bigmart')).filter((v) => v.version === version);
    const fitted = await fittedTabular(store, stored!.params);
    const good = testRows.filter((_, i) => i !== BAD_INDEX);
    const expected = new Map(
      predictTabular(fitted, good).map((p, i) => [
        `${good[i]!.Item_Identifier as string}/${good[i]!.Outlet_Identifier as string}`,
        p,
      ]),
    );
    const held = await storedPredictions(isolated.pool, { model: 'bigmart', dataset: testUri, limit: 10_000 });
    assert.equal(held.length, expected.size);
    for (const p of held) assert.equal(p.prediction, expected.get(p.key), p.key);

    const inWarehouse = await warehouseRows(testUri, version);
    assert.deepEqual(
      inWarehouse.map((r) => [r.row_key, r.prediction]),
      held.map((p) => [p.key, p.prediction]),
    );
  });

  it('a rerun writes nothing new in either store', async () => {
    const again = await score({ model: 'bigmart', source: { kind: 'csv', uri: testUri }, version });
    assert.equal(again.written, 0);
    assert.deepEqual(
      [again.read, again.scored, again.rejected, again.warehouse],
      [first.read, first.scored, first.rejected, first.warehouse],
    );
    const { rows } = await isolated.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tabular_predictions WHERE dataset = $1',
      [testUri],
    );
    assert.equal(rows[0]!.n, first.scored);
    assert.equal((await warehouseRows(testUri, version)).length, first.scored);
  });

  it('pages the predictions of a dataset by version and key', async () => {
    const page1 = await storedPredictions(isolated.pool, { model: 'bigmart', dataset: testUri, limit: 10 });
    const page2 = await storedPredictions(isolated.pool, {
      model: 'bigmart',
      dataset: testUri,
      limit: 10,
      after: { version: page1.at(-1)!.version, key: page1.at(-1)!.key },
    });
    const all = await storedPredictions(isolated.pool, { model: 'bigmart', dataset: testUri, limit: 20 });
    assert.deepEqual(
      [...page1, ...page2].map((p) => p.key),
      all.map((p) => p.key),
    );
  });

  it('scores a Postgres table and a BigQuery table of the same rows to the same predictions', async () => {
    const rows = test.map((r, i) => (i === BAD_INDEX ? { ...r, Item_MRP: '' } : r));
    await bigmartPostgresTable(deps.pool, table, rows);
    await bigmartWarehouseTable(deps, table, rows);
    const fromCsv = new Map(
      (await storedPredictions(isolated.pool, { model: 'bigmart', dataset: testUri, limit: 10_000 })).map((p) => [
        p.key,
        p.prediction,
      ]),
    );
    for (const kind of ['postgres', 'bigquery'] as const) {
      const report = await score({ model: 'bigmart', source: { kind, table } });
      assert.equal(report.dataset, `${kind}:${table}`);
      // the spec imputes no price: the blank one is rejected, named by its row in the table
      assert.deepEqual([report.read, report.scored, report.rejected], [test.length, test.length - 1, 1], kind);
      const { rows: rejected } = await isolated.pool.query<{ reason: string }>(
        'SELECT reason FROM rejected_rows WHERE source = $1',
        [report.rejectedSource],
      );
      assert.match(rejected[0]!.reason, /^row \d+: Item_MRP /, kind);
      const held = await storedPredictions(isolated.pool, { model: 'bigmart', dataset: report.dataset, limit: 10_000 });
      for (const p of held.filter((h) => fromCsv.has(h.key)))
        assert.ok(Math.abs(p.prediction - fromCsv.get(p.key)!) < 1e-9, `${kind} ${p.key}`);
      assert.equal((await warehouseRows(report.dataset, version)).length, test.length - 1, kind);
    }
  });

  describe('the API', () => {
    let apiDeps: ApiDeps;
    let app: ReturnType<typeof createApp>;
    const post = (body: unknown, key = WRITER) =>
      app.request('/v1/batch-predictions', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      });
    const error = async (res: Response) => ((await res.json()) as { error: { message: string; field?: string } }).error;
    before(() => {
      // The API starts scorings on the training queue: this file's worker serves its own.
      const temporal = isolated.cfg.temporal;
      apiDeps = createApiDeps({
        ...isolated.cfg,
        temporal: {
          ...temporal,
          taskQueues: { ...temporal.taskQueues, training: taskQueue } as unknown as typeof temporal.taskQueues,
        },
      });
      app = createApp(apiDeps);
    });
    after(async () => {
      await closeApiDeps(apiDeps);
    });

    it('starts a scoring with a write key, follows it to its counts and pages its predictions', async () => {
      assert.equal((await post({ model: 'bigmart', source: { kind: 'csv', uri: testUri } }, 'nope')).status, 401);
      const res = await post({ model: 'bigmart', source: { kind: 'csv', uri: testUri } });
      assert.equal(res.status, 202);
      const started = (await res.json()) as {
        workflowId: string;
        dataset: string;
        links: { self: string; predictions: string };
      };
      assert.match(started.workflowId, /^tabular-scoring-/);
      assert.equal(started.dataset, testUri);
      await inWorker(() => client.workflow.getHandle(started.workflowId).result());
      const state = (await (await app.request(started.links.self)).json()) as {
        status: string;
        result: TabularScoringReport;
      };
      assert.equal(state.status, 'COMPLETED');
      assert.deepEqual(
        [state.result.read, state.result.scored, state.result.rejected, state.result.written],
        [first.read, first.scored, first.rejected, 0],
      );
      type Page = { predictions: { version: number; key: string; prediction: number }[]; next?: string };
      const page1 = (await (await app.request(`${started.links.predictions}&limit=100`)).json()) as Page;
      assert.equal(page1.predictions.length, 100);
      const page2 = (await (
        await app.request(`${started.links.predictions}&limit=500&cursor=${page1.next!}`)
      ).json()) as Page;
      const stored = await storedPredictions(isolated.pool, { model: 'bigmart', dataset: testUri, limit: 10_000 });
      assert.deepEqual(
        [...page1.predictions, ...page2.predictions].map((p) => [p.version, p.key, p.prediction]),
        stored.map((p) => [p.version, p.key, p.prediction]),
      );
      assert.equal(page2.next, undefined);
    });

    it('gives the same number for a row through POST /v1/models/bigmart/predict as the batch scorer stored', async () => {
      // Each good Test.csv row as a JSON client sends it: numbers as numbers, blanks as null.
      const numeric = new Set(BIGMART_SPEC.columns.filter((c) => c.type === 'number').map((c) => c.name));
      const good = testRows.filter((_, i) => i !== BAD_INDEX);
      const instances = good.map((r) =>
        Object.fromEntries(Object.entries(r).map(([c, v]) => [c, v === '' ? null : numeric.has(c) ? Number(v) : v])),
      );
      const res = await app.request('/v1/models/bigmart/predict', {
        method: 'POST',
        body: JSON.stringify({ instances }),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.status, 200, await res.clone().text());
      const served = (await res.json()) as { predictions: number[]; model_version: number };
      assert.equal(served.model_version, version);
      const stored = new Map(
        (await storedPredictions(isolated.pool, { model: 'bigmart', dataset: testUri, version, limit: 10_000 })).map(
          (p) => [p.key, p.prediction],
        ),
      );
      assert.equal(stored.size, good.length);
      good.forEach((r, i) =>
        assert.equal(
          served.predictions[i],
          stored.get(`${r.Item_Identifier as string}/${r.Outlet_Identifier as string}`),
        ),
      );
    });

    it('answers 400 naming the field, 404 for an unknown version or scoring, 409 without a production version', async () => {
      const bad = await post({ model: 'walmart', source: { kind: 'csv', uri: testUri } });
      assert.equal(bad.status, 400);
      assert.equal((await error(bad)).field, 'model');
      const missing = await post({ model: 'bigmart', source: { kind: 'csv', uri: `${testUri}.missing` } });
      assert.equal(missing.status, 400);
      assert.equal((await error(missing)).field, 'source.uri');
      const table = await post({ model: 'bigmart', source: { kind: 'postgres', table: 'a; drop' } });
      assert.equal(table.status, 400);
      assert.equal((await error(table)).field, 'source.table');
      const unknown = await post({ model: 'bigmart', source: { kind: 'csv', uri: testUri }, version: 999 });
      assert.equal(unknown.status, 404);
      assert.equal((await error(unknown)).field, 'version');
      assert.equal((await app.request('/v1/batch-predictions/tabular-scoring-none')).status, 404);
      assert.equal((await app.request('/v1/batch-predictions/import-sales-1')).status, 404);
      const cursor = await app.request(`/v1/predictions?model=bigmart&dataset=x&cursor=zz`);
      assert.equal(cursor.status, 400);
      await isolated.pool.query(`UPDATE model_versions SET stage = 'archived' WHERE model = 'bigmart'`);
      const none = await post({ model: 'bigmart', source: { kind: 'csv', uri: testUri } });
      assert.equal(none.status, 409);
      assert.match((await error(none)).message, /no production version: train one first/);
    });
  });
});
