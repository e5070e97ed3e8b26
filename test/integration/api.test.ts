import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import type { StackCheckResult } from '../../contracts/stackCheck.ts';
import { freePort, testConfig } from '../helpers/stack.ts';
import { withWorker } from '../../workers/inProcess.ts';

const ADMIN = 'admin-key-for-tests-0001';
const READER = 'read-key-for-tests-00001';
const KEYS = { API_KEYS: `tester:admin:${ADMIN},viewer:read:${READER}` };

describe('API against the real stack', () => {
  const cfg = testConfig(KEYS);
  let deps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  before(() => {
    deps = createApiDeps(cfg);
    app = createApp(deps);
  });
  after(() => closeApiDeps(deps));

  it('GET /healthz answers without touching services', async () => {
    const res = await app.request('/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('GET /readyz reports all four services up with latencies', async () => {
    const res = await app.request('/readyz');
    const body = (await res.json()) as { status: string; services: Record<string, { up: boolean; latencyMs: number }> };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.status, 'ready');
    assert.deepEqual(Object.keys(body.services).sort(), ['bigquery', 'gcs', 'postgres', 'temporal']);
    for (const s of Object.values(body.services)) {
      assert.equal(s.up, true);
      assert.ok(Number.isFinite(s.latencyMs) && s.latencyMs >= 0);
    }
  });

  it('POST /v1/stack-check starts the workflow and links to the Temporal UI', async () => {
    const result = await withWorker(cfg, cfg.temporal.taskQueues.ingest, async () => {
      const res = await app.request('/v1/stack-check', {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      assert.equal(res.status, 202);
      const body = (await res.json()) as { workflowId: string; runId: string; temporalUrl: string };
      assert.match(body.workflowId, /^stack-check-\d{8}T\d{9}Z-[0-9a-f]{6}$/);
      assert.equal(
        body.temporalUrl,
        `${cfg.temporal.uiUrl}/namespaces/default/workflows/${body.workflowId}/${body.runId}/history`,
      );
      return deps.temporal.workflow.getHandle(body.workflowId).result() as Promise<StackCheckResult>;
    });
    assert.deepEqual(result.counts, { postgres: 1, gcs: 1, bigquery: 1 });
  });

  it('refuses mutating calls without a key (401) or with a read key (403)', async () => {
    const none = await app.request('/v1/stack-check', { method: 'POST' });
    assert.equal(none.status, 401);
    assert.deepEqual(await none.json(), {
      error: { code: 'unauthorized', message: 'an API key is required: Authorization: Bearer <key>' },
    });
    const wrong = await app.request('/v1/stack-check', {
      method: 'POST',
      headers: { authorization: 'Bearer not-a-key' },
    });
    assert.equal(wrong.status, 401);
    const reader = await app.request('/v1/stack-check', {
      method: 'POST',
      headers: { authorization: `Bearer ${READER}` },
    });
    assert.equal(reader.status, 403);
    assert.match(
      ((await reader.json()) as { error: { message: string } }).error.message,
      /needs the write role; key "viewer" has read/,
    );
  });

  it('answers an oversized body with 413 and an unknown route with 404', async () => {
    const big = 'x'.repeat(cfg.api.bodyLimitBytes + 1);
    const res = await app.request('/v1/stack-check', {
      method: 'POST',
      body: big,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-length': String(big.length) },
    });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'payload_too_large');
    const missing = await app.request('/v1/nothing');
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: { code: 'not_found', message: 'no route for GET /v1/nothing' } });
  });
});

describe('API readiness when a service is down', () => {
  it('GET /readyz answers 503 and names the service that is down', async () => {
    const port = await freePort();
    const deps = createApiDeps(testConfig({ ...KEYS, GCS_ENDPOINT: `http://127.0.0.1:${port}` }));
    try {
      const res = await createApp(deps).request('/readyz');
      assert.equal(res.status, 503);
      const body = (await res.json()) as { status: string; services: Record<string, { up: boolean; error?: string }> };
      assert.equal(body.status, 'not_ready');
      assert.equal(body.services.gcs?.up, false);
      assert.ok(body.services.gcs?.error, 'the reason is given');
      assert.equal(body.services.postgres?.up, true);
      assert.equal(body.services.temporal?.up, true);
    } finally {
      await closeApiDeps(deps);
    }
  });
});
