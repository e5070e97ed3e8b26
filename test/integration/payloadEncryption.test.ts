// Payloads reach the Temporal server encrypted: a client without the codec reads only ciphertext in
// a workflow's history, while the workers and the project's clients run and read it as usual, and
// the API's codec endpoint (the Temporal UI's) decrypts it for a key holder. Failure messages and
// stack traces too: they travel in the failures' encrypted attributes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { createApp } from '../../api/app.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA, loadPayloadKeys } from '../../platform/payloadCodec.ts';
import { causes } from '../../platform/outage.ts';
import { connectClient } from '../../platform/temporal.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { stackCheck } from '../../workflows/stackCheck.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

const READER = 'codec-reader-key-0123456789';
const WRITER = 'codec-writer-key-0123456789';
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');

/** Every payload anywhere in a history: objects with metadata and data. */
// Left out, as the SDK leaves them unencoded: search attributes (the server indexes them; they name a
// run's pipeline, store, model, date and stage, never its data: contracts/searchAttributes.ts) and
// patch markers (a patch's id, written by the SDK's core).
function payloadsOf(node: unknown, found: Payload[] = []): Payload[] {
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.markerName === 'core_patch') return found;
    if (o.metadata && typeof o.metadata === 'object' && 'encoding' in o.metadata) found.push(o);
    else for (const [k, v] of Object.entries(o)) if (k !== 'searchAttributes') payloadsOf(v, found);
  }
  return found;
}

describe('payload encryption', () => {
  const cfg = testConfig({ API_KEYS: `reader:read:${READER},writer:write:${WRITER}` });
  const deps = createApiDeps(cfg);
  const app = createApp(deps);
  let client: Client;
  let plain: Client;
  before(async () => {
    client = await connectClient(cfg.temporal);
    plain = new Client({ connection: client.connection, namespace: cfg.temporal.namespace });
  });
  after(async () => {
    await client.connection.close();
    await closeApiDeps(deps);
  });

  const workflowId = uniqueId('encrypted-check');
  let history: Payload[] = [];

  it("stores only ciphertext in the server's history while the workflow runs as usual", async () => {
    const taskQueue = uniqueId('encrypted-queue');
    const result = await withWorker(cfg, taskQueue, () =>
      client.workflow.execute(stackCheck, { workflowId, taskQueue, workflowExecutionTimeout: '2 minutes' }),
    );
    assert.equal(result.checkId, workflowId, 'the codec client reads the result');
    history = payloadsOf(await plain.workflow.getHandle(workflowId).fetchHistory());
    // Activity inputs and results and the workflow's result: the check id is in each of them.
    assert.ok(history.length >= 5, `payloads in the history: ${history.length}`);
    const current = loadPayloadKeys(cfg.temporal.payloadKeys).currentId;
    for (const p of history) {
      assert.equal(text(p.metadata!.encoding), ENCRYPTED_ENCODING);
      assert.equal(text(p.metadata![KEY_ID_METADATA]), current);
      assert.ok(!text(p.data).includes(workflowId), 'the check id is not readable in the history');
    }
    // A client without the codec cannot read the result.
    await assert.rejects(plain.workflow.getHandle(workflowId).result(), /binary\/encrypted/);
  });

  it("keeps a failed activity's message and stack trace out of the server's history, yet the client reads them", async () => {
    const failedId = uniqueId('encrypted-failure');
    const taskQueue = uniqueId('encrypted-queue');
    // What an activity's error can carry: a store, a file name, SQL.
    const secret = `store 17 in gs://bucket/${failedId}.csv: SELECT secret_column`;
    const failed = await withWorker(
      cfg,
      taskQueue,
      () =>
        client.workflow
          .execute(stackCheck, { workflowId: failedId, taskQueue, workflowExecutionTimeout: '2 minutes' })
          .catch((err: unknown) => err),
      () => ({
        exportStackCheck: () => Promise.reject(ApplicationFailure.nonRetryable(secret, 'SecretFailure')),
      }),
    );
    assert.ok(failed instanceof WorkflowFailedError, `the run failed: ${String(failed)}`);
    const application = [...causes(failed)].find((e) => e instanceof ApplicationFailure);
    assert.equal(application?.message, secret, 'the codec client reads the original message');
    assert.match(application?.stack ?? '', /payloadEncryption\.test\.ts/, 'and the stack trace');

    const raw = await plain.workflow.getHandle(failedId).fetchHistory();
    const bytes = Buffer.from(proto.temporal.api.history.v1.History.encode(raw).finish());
    assert.ok(
      raw.events?.some((e) => e.activityTaskFailedEventAttributes),
      'the history holds the failed activity',
    );
    for (const clear of [secret, 'secret_column', failedId + '.csv', 'payloadEncryption.test.ts'])
      assert.ok(!bytes.includes(clear), `"${clear}" is readable in the history`);
    // Without the codec, a client sees that it failed, not why.
    await assert.rejects(
      plain.workflow.getHandle(failedId).result(),
      (err) => ![...causes(err)].some((e) => (e as Error).message?.includes('secret_column')),
    );
  });

  it('decrypts the history through the codec endpoint for a key holder, and only for one', async () => {
    const body = JSON.stringify({
      payloads: history.map((p) => ({
        metadata: Object.fromEntries(
          Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(p.data!).toString('base64'),
      })),
    });
    const post = (path: string, key?: string, payload = body) =>
      app.request(path, {
        method: 'POST',
        body: payload,
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      });
    assert.equal((await post('/codec/decode')).status, 401);
    const res = await post('/codec/decode', READER);
    assert.equal(res.status, 200);
    const decoded = ((await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads;
    assert.equal(decoded.length, history.length);
    const json = decoded.map((p) => Buffer.from(p.data, 'base64').toString('utf8'));
    assert.ok(
      json.some((d) => d.includes(workflowId)),
      'the check id is back in the clear',
    );
    assert.deepEqual(
      decoded.filter((p) => Buffer.from(p.metadata.encoding!, 'base64').toString() === ENCRYPTED_ENCODING),
      [],
    );

    // encode needs the write role; what it encrypts, decode gives back.
    const clear = JSON.stringify({ payloads: decoded });
    assert.equal((await post('/codec/encode', READER, clear)).status, 403);
    const encoded = await post('/codec/encode', WRITER, clear);
    assert.equal(encoded.status, 200);
    const again = await post('/codec/decode', READER, await encoded.text());
    assert.deepEqual(((await again.json()) as { payloads: unknown[] }).payloads, decoded);

    // A tampered payload is a 400 naming the problem, not a 500.
    const tampered = JSON.parse(body) as { payloads: { data: string }[] };
    const bytes = Buffer.from(tampered.payloads[0]!.data, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    tampered.payloads[0]!.data = bytes.toString('base64');
    const bad = await post('/codec/decode', READER, JSON.stringify(tampered));
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /failed authentication/);
  });

  it("answers the Temporal UI's CORS preflight from the UI's origin", async () => {
    const origin = new URL(cfg.temporal.uiUrl).origin;
    const res = await app.request('/codec/decode', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-namespace',
      },
    });
    assert.ok(res.status === 204 || res.status === 200, `preflight status ${res.status}`);
    assert.equal(res.headers.get('access-control-allow-origin'), origin);
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /X-Namespace/i);
    const other = await app.request('/codec/decode', {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.notEqual(other.headers.get('access-control-allow-origin'), 'http://evil.example');
  });
});
