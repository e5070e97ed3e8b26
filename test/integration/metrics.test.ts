// /metrics on the API and on a worker process, scraped after real requests and a real daily ingest:
// the application's counters move, and the worker's page carries the Temporal SDK's metrics and the
// server's task-queue backlog.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { closeDeps, createDeps } from '../../activities/deps.ts';
import { createActivities } from '../../activities/index.ts';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import { dailyIngestWorkflowId, type IngestReport, type ValidationCounts } from '../../contracts/ingest.ts';
import { registry } from '../../platform/metrics.ts';
import { saleEvent } from '../../scripts/data/saleEvents.ts';
import { seedStores } from '../helpers/sales.ts';
import { sampleValue } from '../helpers/scrape.ts';
import { freePort, testConfig } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';
import { startWorkerProcess } from '../helpers/workerProcess.ts';

const WRITER = 'writer-key-for-metrics-tests';
const cfg = testConfig({ API_KEYS: `producer:write:${WRITER}` });
const DATE = '2025-02-11';

describe('/metrics', () => {
  let deps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  let worker: ChildProcess;
  let workerMetrics: string;
  before(async () => {
    deps = createApiDeps(cfg);
    app = createApp(deps);
    await seedStores(deps.pool);
    const port = await freePort();
    workerMetrics = `http://127.0.0.1:${port}/metrics`;
    worker = startWorkerProcess('ingest', { ...process.env, WORKER_METRICS_PORT: String(port) });
  });
  after(async () => {
    worker.kill('SIGTERM');
    await closeApiDeps(deps);
  });

  const scrapeApi = async () => {
    const res = await app.request('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('the API counts forecast requests per route pattern and its model cache lookups', async () => {
    const route = { method: 'POST', route: '/v1/forecast' };
    const count = 'retailflow_http_request_duration_seconds_count';
    const before = await scrapeApi();
    for (let i = 0; i < 2; i++) {
      const res = await app.request('/v1/forecast', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ store_id: 987654, product_name: 'all' }]),
      });
      assert.equal(res.status, 404, await res.text());
    }
    const text = await scrapeApi();
    assert.equal(sampleValue(text, count, { ...route, status: '404' }) - sampleValue(before, count, route), 2);
    const lookups = (t: string) => sampleValue(t, 'retailflow_model_cache_requests_total', { kind: 'sales_forecast' });
    assert.ok(lookups(text) - lookups(before) >= 2);
    assert.ok(sampleValue(text, 'process_resident_memory_bytes') > 0);
  });

  it('a worker process counts the rows a daily ingest accepted and rejected, beside the SDK metrics', async () => {
    const text = await until('the worker process serving /metrics', () =>
      fetch(workerMetrics).then((r) => (r.ok ? r.text() : undefined)),
    );
    const rows = (t: string, outcome: string) =>
      sampleValue(t, 'retailflow_ingest_rows_total', { pipeline: 'daily', outcome });
    assert.equal(rows(text, 'accepted'), 0);
    // Store 999999 is no store: its event is staged, then rejected by the ingest.
    const events = [saleEvent(1, DATE), saleEvent(2, DATE), saleEvent(999999, DATE)];
    const sent = await app.request('/v1/sales/events', {
      method: 'POST',
      body: JSON.stringify(events),
      headers: { authorization: `Bearer ${WRITER}`, 'content-type': 'application/json' },
    });
    assert.equal(sent.status, 200);
    const started = await app.request('/v1/ingest/runs', {
      method: 'POST',
      body: JSON.stringify({ date: DATE }),
      headers: { authorization: `Bearer ${WRITER}`, 'content-type': 'application/json' },
    });
    assert.equal(started.status, 202);
    const report = (await deps.temporal.workflow.getHandle(dailyIngestWorkflowId(DATE)).result()) as IngestReport;
    assert.equal(report.counts.rejected, 1);
    const after = await (await fetch(workerMetrics)).text();
    assert.equal(rows(after, 'accepted'), 2);
    assert.equal(rows(after, 'rejected'), 1);
    // The SDK's own worker metrics, and the server's view of the queues.
    assert.ok(
      sampleValue(after, 'temporal_workflow_completed_total', { workflow_type: 'dailyIngest', task_queue: 'ingest' }) >=
        1,
    );
    assert.match(after, /^retailflow_task_queue_backlog\{task_queue="ingest",type="activity"\} \d+$/m);
  });

  it("counts a daily ingest's rows once: the step retried after its commit adds nothing", async () => {
    // A day of 1995 no other test stages: stores 1 and 2 accepted, store 999999 rejected.
    const day = `1995-03-${String(10 + Math.floor(Math.random() * 18)).padStart(2, '0')}`;
    const sent = await app.request('/v1/sales/events', {
      method: 'POST',
      body: JSON.stringify([saleEvent(1, day), saleEvent(2, day), saleEvent(999999, day)]),
      headers: { authorization: `Bearer ${WRITER}`, 'content-type': 'application/json' },
    });
    assert.equal(sent.status, 200);
    const workerDeps = createDeps(cfg, 'metrics-test');
    try {
      const { validateAndUpsertSales } = createActivities(workerDeps);
      const counted = async () => {
        const text = await registry.metrics();
        const rows = (outcome: string) =>
          sampleValue(text, 'retailflow_ingest_rows_total', { pipeline: 'daily', outcome });
        return { accepted: rows('accepted'), rejected: rows('rejected') };
      };
      const start = await counted();
      const validate = () =>
        new MockActivityEnvironment().run<[string], ValidationCounts, typeof validateAndUpsertSales>(
          validateAndUpsertSales,
          day,
        );
      const validated = await validate();
      assert.deepEqual([validated.accepted, validated.rejected], [2, 1]);
      const once = await counted();
      assert.deepEqual(once, { accepted: start.accepted + 2, rejected: start.rejected + 1 });
      // The same step again, as a retry after a crash past its commit: the same counts, no new rows.
      assert.deepEqual(await validate(), validated);
      assert.deepEqual(await counted(), once);
    } finally {
      await closeDeps(workerDeps);
    }
  });
});
