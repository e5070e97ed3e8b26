// tabularTraining end to end on the real stack: a generated BigMart Train.csv in GCS, the workflow
// through Temporal with a real worker (rows and split to GCS, trials cross-validated in worker
// threads and recorded in Postgres, the registry), then a rerun of the same run id and a run that
// does not beat the champion on the same test rows. Its own Postgres schema.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import type { TabularReport, TabularTrainingInput } from '../../contracts/tabular.ts';
import { predictTabular, scoreOf } from '../../ml/tabular/evaluate.ts';
import { BIGMART_SPEC } from '../../ml/tabular/presets/bigmart.ts';
import { filterRows, targets } from '../../ml/tabular/rows.ts';
import type { RawRow } from '../../ml/tabular/values.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { readRowSet } from '../../platform/tabularData.ts';
import { fittedTabular, tabularVersions } from '../../platform/tabularRegistry.ts';
import { tabularTrials } from '../../platform/tabularRuns.ts';
import { connectClient } from '../../platform/temporal.ts';
import { BIGMART_TRAIN_HEADER, bigmartCsv, generateBigMart } from '../../scripts/data/bigmartGenerator.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { tabularTraining } from '../../workflows/tabularTraining.ts';
import { isolatedSchema, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

describe('tabularTraining on the real stack (generated BigMart)', () => {
  let isolated: IsolatedSchema;
  let client: Client;
  let taskQueue: string;
  let input: TabularTrainingInput;
  let source: RawRow[];
  const store = new ObjectStore(testConfig().gcs);
  const run = (workflowId: string, options: TabularTrainingInput) =>
    withWorker(isolated.cfg, taskQueue, () =>
      client.workflow.execute(tabularTraining, { taskQueue, workflowId, args: [options] }),
    );

  before(async () => {
    isolated = await isolatedSchema(testConfig(), 'tab');
    client = await connectClient(isolated.cfg.temporal);
    taskQueue = uniqueId('tabular');
    const { train } = generateBigMart({ seed: 5, rows: 600 });
    // One row twice: the preprocess step drops the copy.
    const csv = bigmartCsv(BIGMART_TRAIN_HEADER, [...train, train[17]!]);
    source = parse<RawRow>(csv, { columns: true });
    const uri = await store.write(`${uniqueId('uploads/bigmart')}/Train.csv`, csv, 'text/csv');
    input = {
      model: 'bigmart',
      source: { kind: 'csv', uri },
      split: { kind: 'random', testShare: 0.2, seed: 3 },
      search: { kind: 'random', trials: 6, concurrency: 2, folds: 3, seed: 1, learners: ['ridge', 'lasso', 'tree'] },
      promotionMargin: 0,
    };
  });
  after(async () => {
    await client?.connection.close();
    await isolated?.drop();
  });

  let first: TabularReport;
  const firstId = uniqueId('tabular-e2e');

  it('gets, preprocesses and splits the rows, records every trial, refits the best and promotes it as the first version', async () => {
    first = await run(firstId, input);
    const kept = filterRows(BIGMART_SPEC, source).rows;
    assert.equal(first.read, 601);
    assert.equal(first.rows, 600);
    assert.deepEqual(first.filtered, [
      { kind: 'dropDuplicates', dropped: 1 },
      { kind: 'dropna', dropped: 0 },
    ]);
    // Each ETL step's output in GCS: the rows as read, as kept, and the two parts of the split.
    assert.deepEqual(await readRowSet(store, firstId, 'source'), source);
    assert.deepEqual(await readRowSet(store, firstId, 'rows'), kept);
    assert.equal(first.test, Math.ceil(kept.length * 0.2));
    assert.equal(first.train + first.test, kept.length);
    const train = await readRowSet(store, firstId, 'train');
    const test = await readRowSet(store, firstId, 'test');
    assert.equal(train.length, first.train);
    assert.equal(test.length, first.test);
    const key = (r: RawRow) => JSON.stringify(r);
    assert.deepEqual([...train, ...test].map(key).sort(), kept.map(key).sort());

    const trials = await tabularTrials(isolated.pool, firstId);
    assert.deepEqual(
      trials.map((t) => t.trial),
      [0, 1, 2, 3, 4, 5],
    );
    assert.deepEqual([...new Set(trials.map((t) => t.learner))].sort(), ['lasso', 'ridge', 'tree']);
    const bestRmse = Math.min(...trials.map((t) => t.metrics.rmse!.mean));
    assert.equal(first.best.metrics.rmse!.mean, bestRmse);

    const registration = first.registration;
    assert.equal(registration.promoted, true);
    assert.equal(registration.champion, null);
    assert.match(registration.label, /^\d{8}_\d{6}$/);
    const [version] = await tabularVersions(isolated.pool, 'bigmart');
    assert.equal(version!.version, registration.version);
    assert.equal(version!.stage, 'production');
    assert.equal(version!.runId, firstId);
    const { rows: kinds } = await isolated.pool.query<{ kind: string }>(
      `SELECT kind FROM models WHERE name = 'bigmart'`,
    );
    assert.deepEqual(kinds, [{ kind: 'tabular' }]);
    // The stored model scores the test rows as the registration says.
    const fitted = await fittedTabular(store, version!.params);
    assert.deepEqual(
      scoreOf(BIGMART_SPEC, targets(BIGMART_SPEC, test), predictTabular(fitted, test)),
      registration.metrics,
    );
  });

  it('a rerun of the run id adds nothing', async () => {
    const again = await run(firstId, input);
    assert.deepEqual(again.registration, first.registration);
    assert.equal((await tabularTrials(isolated.pool, firstId)).length, 6);
    assert.equal((await tabularVersions(isolated.pool, 'bigmart')).length, 1);
  });

  it('keeps a challenger that does not beat the champion by the margin, both scored on the same test rows', async () => {
    const second = await run(uniqueId('tabular-e2e'), { ...input, promotionMargin: 0.9 });
    const registration = second.registration;
    assert.equal(registration.promoted, false);
    assert.equal(registration.champion?.version, first.registration.version);
    // Same data and split seed, so the same test rows: the champion scores what it scored when registered.
    assert.deepEqual(registration.champion?.metrics, first.registration.metrics);
    const versions = await tabularVersions(isolated.pool, 'bigmart');
    assert.deepEqual(
      versions.map((v) => [v.version, v.stage]),
      [
        [registration.version, 'staging'],
        [first.registration.version, 'production'],
      ],
    );
  });

  it('stores a forest in GCS under models/<name>/<version>/ and serves it from there', async () => {
    const forest = await run(uniqueId('tabular-e2e'), {
      ...input,
      search: { kind: 'grid', trials: 1, concurrency: 1, folds: 2, seed: 1, learners: ['forest'] },
    });
    const version = (await tabularVersions(isolated.pool, 'bigmart')).find(
      (v) => v.version === forest.registration.version,
    )!;
    assert.deepEqual(version.params.model, { object: `models/bigmart/${version.version}/model.json` });
    const test = await readRowSet(store, forest.runId, 'test');
    const fitted = await fittedTabular(store, version.params);
    assert.equal(fitted.model.learner, 'forest');
    assert.deepEqual(
      scoreOf(BIGMART_SPEC, targets(BIGMART_SPEC, test), predictTabular(fitted, test)),
      forest.registration.metrics,
    );
  });
});
