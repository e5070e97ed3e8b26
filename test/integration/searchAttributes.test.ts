// Runs carry the custom search attributes (contracts/searchAttributes.ts), so Temporal lists them
// by pipeline, store, model, as-of date and stage: real runs started through the API, found again
// with the queries the README shows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time.js';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { createApp } from '../../api/app.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { dailyIngestWorkflowId } from '../../contracts/ingest.ts';
import {
  AS_OF_ATTRIBUTE,
  MODEL_ATTRIBUTE,
  PIPELINE_ATTRIBUTE,
  SEARCH_ATTRIBUTES,
  STAGE_ATTRIBUTE,
  STORE_ATTRIBUTE,
} from '../../contracts/searchAttributes.ts';
import { retrainWorkflowId } from '../../contracts/retrain.ts';
import { ensureSearchAttributes } from '../../platform/searchAttributes.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { seedStores } from '../helpers/sales.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';

const ADMIN = 'admin-key-for-search-attribute-tests';
const cfg = testConfig({ API_KEYS: `tester:admin:${ADMIN}` });
const STORE = 17;

describe('search attributes on real runs', () => {
  let deps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  let client: Client;
  before(async () => {
    deps = createApiDeps(cfg);
    app = createApp(deps);
    client = deps.temporal;
    await seedStores(deps.pool, [STORE]);
  });
  after(() => closeApiDeps(deps));

  const post = async (path: string, body: unknown) => {
    const res = await app.request(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    });
    assert.equal(res.status, 202, await res.clone().text());
    return (await res.json()) as { workflowId: string; runId?: string };
  };
  /** The runs a visibility query lists, once `workflowId` is among them (visibility lags a little). */
  const listed = (query: string, workflowId: string) =>
    until(`${workflowId} listed by ${query}`, async () => {
      const found: WorkflowExecutionInfo[] = [];
      for await (const run of client.workflow.list({ query })) found.push(run);
      return found.some((r) => r.workflowId === workflowId) && found;
    });

  it('are registered in the namespace with their types, and registering again adds nothing', async () => {
    assert.deepEqual(await ensureSearchAttributes(client, cfg.temporal.namespace), []);
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({
      namespace: cfg.temporal.namespace,
    });
    for (const key of SEARCH_ATTRIBUTES) assert.ok(customAttributes[key.name], `${key.name} is not registered`);
  });

  it('are added to a namespace that lacks them, as on a real cluster, once', async () => {
    const namespace = uniqueId('search-attributes');
    await client.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    // A new namespace reaches the server's caches within seconds.
    const added = await until(`search attributes added to ${namespace}`, () =>
      ensureSearchAttributes(client, namespace),
    );
    assert.deepEqual([...added].sort(), SEARCH_ATTRIBUTES.map((k) => k.name).sort());
    await until(`search attributes listed in ${namespace}`, async () => {
      const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace });
      return SEARCH_ATTRIBUTES.every((k) => customAttributes[k.name] !== undefined);
    });
    assert.deepEqual(await ensureSearchAttributes(client, namespace), []);
  });

  it('list every ingest of a month that failed, and the one that did not, by date and stage', async () => {
    // Days of a November no other test ingests.
    const day = 10 + Math.floor(Math.random() * 9);
    const done = `2003-11-${day}`;
    const failed = `2003-11-${day + 10}`;
    await withWorker(
      cfg,
      cfg.temporal.taskQueues.ingest,
      async () => {
        const ran = await post('/v1/ingest/runs', { date: done });
        await client.workflow.getHandle(ran.workflowId).result();
        const broke = await post('/v1/ingest/runs', { date: failed });
        await assert.rejects(client.workflow.getHandle(broke.workflowId).result());
      },
      (real) => ({
        exportSalesDay: async (date: string) => {
          if (date === failed) throw ApplicationFailure.nonRetryable('the bucket refused the object', 'StorageRefused');
          return real.exportSalesDay(date);
        },
      }),
    );
    const november = `RetailflowAsOf BETWEEN "2003-11-01T00:00:00Z" AND "2003-11-30T23:59:59Z"`;
    const failures = await listed(
      `RetailflowPipeline = "ingest" AND ExecutionStatus = "Failed" AND ${november}`,
      dailyIngestWorkflowId(failed),
    );
    assert.ok(!failures.some((r) => r.workflowId === dailyIngestWorkflowId(done)));
    const run = failures.find((r) => r.workflowId === dailyIngestWorkflowId(failed))!;
    assert.equal(run.typedSearchAttributes.get(PIPELINE_ATTRIBUTE), 'ingest');
    assert.equal(run.typedSearchAttributes.get(STAGE_ATTRIBUTE), 'failed');
    assert.equal(run.typedSearchAttributes.get(AS_OF_ATTRIBUTE)?.toISOString(), `${failed}T00:00:00.000Z`);
    await listed(
      `RetailflowPipeline = "ingest" AND RetailflowStage = "done" AND RetailflowAsOf BETWEEN "${done}T00:00:00Z" AND "${done}T23:59:59Z"`,
      dailyIngestWorkflowId(done),
    );
  });

  it('are set when a run starts, so a run no worker has picked up is listed by its pipeline, store and model', async () => {
    // The same nonexistent product as no other test: nothing polls for it here, the run waits.
    const product = uniqueId('queued');
    const { workflowId } = await post(`/v1/models/${STORE}/${product}/retrain`, {});
    try {
      const queued = await listed(`RetailflowPipeline = "retrain" AND RetailflowStore = ${STORE}`, workflowId);
      const run = queued.find((r) => r.workflowId === workflowId)!;
      assert.equal(run.status.name, 'RUNNING');
      const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
      assert.equal(events?.length, 2, 'started and its first task scheduled: no worker has run it');
      assert.equal(run.typedSearchAttributes.get(MODEL_ATTRIBUTE), `sales-forecast:${STORE}:${product}`);
      assert.equal(run.typedSearchAttributes.get(STAGE_ATTRIBUTE), undefined, 'its stage comes from the workflow');
    } finally {
      await client.workflow.getHandle(workflowId).terminate('search-attribute test: never meant to run');
    }
  });

  it('list every retrain of a store, with its model', async () => {
    const product = uniqueId('sa');
    const { workflowId } = await withWorker(cfg, cfg.temporal.taskQueues.interactive, async () => {
      const started = await post(`/v1/models/${STORE}/${product}/retrain`, {});
      await client.workflow.getHandle(started.workflowId).result();
      return started;
    });
    assert.equal(workflowId, retrainWorkflowId(STORE, product));
    const retrains = await listed(`RetailflowPipeline = "retrain" AND RetailflowStore = ${STORE}`, workflowId);
    const run = retrains.find((r) => r.workflowId === workflowId)!;
    assert.equal(run.typedSearchAttributes.get(STORE_ATTRIBUTE), STORE);
    assert.equal(run.typedSearchAttributes.get(MODEL_ATTRIBUTE), `sales-forecast:${STORE}:${product}`);
    assert.equal(run.typedSearchAttributes.get(STAGE_ATTRIBUTE), 'done');
    for await (const other of client.workflow.list({ query: `RetailflowStore = ${STORE + 1}` }))
      assert.notEqual(other.workflowId, workflowId);
  });
});
