// Bad input at scale: a 50-year backfill, a concurrency of 10,000, 10,000 events in one request and
// a 100 MB upload each get a 4xx naming the limit, from the API served over HTTP; a workflow
// started past the API with such a range or concurrency fails at once with InvalidInput, so no run
// gets near Temporal's limits (DESIGN.md: 2,000 pending activities or children, 2 MB payloads).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ServerType } from '@hono/node-server';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps, startServer } from '../../api/server.ts';
import { MAX_BACKFILL_CONCURRENCY, MAX_BACKFILL_DAYS } from '../../contracts/ingest.ts';
import { DEFAULT_TRAINING, MAX_TRAINING_CONCURRENCY } from '../../contracts/training.ts';
import { addDays, todayUtc } from '../../domain/dates.ts';
import { saleEvent } from '../../scripts/data/saleEvents.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { freePort, testConfig, uniqueId } from '../helpers/stack.ts';
import { assertInvalidInput } from '../helpers/invalidInput.ts';

const ADMIN = 'admin-key-for-input-limit-tests';
const MB = 1024 * 1024;

interface Answer {
  status: number;
  body: { error: { code: string; message: string; field?: string } };
}

/** An API process's worth: its deps and its HTTP server on a free port. */
async function serveApi(overrides: Record<string, string> = {}) {
  const cfg = testConfig({ API_KEYS: `limits:admin:${ADMIN}`, API_PORT: String(await freePort()), ...overrides });
  const deps = createApiDeps(cfg);
  const server = await startServer(deps);
  const port = (server.address() as AddressInfo).port;
  return { cfg, deps, server, port };
}

async function stop(api: { deps: ApiDeps; server: ServerType }) {
  await new Promise((r) => api.server.close(r));
  await closeApiDeps(api.deps);
}

async function post(port: number, path: string, body: unknown, contentType = 'application/json'): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': contentType },
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

/**
 * Streams `total` bytes of NDJSON events to `path` a 64 KB chunk at a time (one buffer, reused),
 * stopping once the server answers. Resolves with the answer, the bytes sent by then and the
 * process's peak growth in resident memory while it ran (the server runs in this process).
 */
function upload(port: number, path: string, total: number, declareLength: boolean) {
  const line = JSON.stringify(saleEvent(1, '2026-01-15')) + '\n';
  const chunk = Buffer.from(line.repeat(Math.ceil((64 * 1024) / line.length)));
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  return new Promise<Answer & { sent: number; peakGrowth: number }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN}`,
        'content-type': 'application/x-ndjson',
        ...(declareLength ? { 'content-length': String(total) } : {}),
      },
    });
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        clearInterval(sampler);
        req.destroy();
        resolve({
          status: res.statusCode!,
          body: JSON.parse(text) as Answer['body'],
          sent,
          peakGrowth: Math.max(peak, process.memoryUsage().rss) - rssBefore,
        });
      });
    });
    // The server may close the connection on the rest of the body once it has answered.
    req.on('error', (err) => {
      if (!answered) {
        clearInterval(sampler);
        reject(err);
      }
    });
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('bad input at scale through the API', () => {
  let api: Awaited<ReturnType<typeof serveApi>>;
  before(async () => {
    api = await serveApi();
  });
  after(() => stop(api));

  const assertRefused = (answer: Answer, status: number, field: string | undefined, message: RegExp) => {
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.equal(answer.body.error.field, field);
    assert.match(answer.body.error.message, message);
  };

  it('refuses a backfill over 50 years, and one longer than its cap of days, with 400 naming the field', async () => {
    const to = addDays(todayUtc(), -1);
    const fiftyYears = `${Number(to.slice(0, 4)) - 50}${to.slice(4)}`;
    assertRefused(
      await post(api.port, '/v1/ingest/backfill', { from: fiftyYears, to }),
      400,
      'from',
      new RegExp(`${fiftyYears} is before 1990-01-01`),
    );
    // Within the dates the business has, but more days than one backfill takes.
    assertRefused(
      await post(api.port, '/v1/ingest/backfill', { from: '1990-01-01', to }),
      400,
      'to',
      new RegExp(`covers more than ${MAX_BACKFILL_DAYS} days`),
    );
  });

  it('refuses a concurrency of 10,000 on every route that takes one, naming its cap', async () => {
    assertRefused(
      await post(api.port, '/v1/ingest/backfill', { from: '2015-01-01', to: '2015-01-31', concurrency: 10_000 }),
      400,
      'concurrency',
      new RegExp(`at most ${MAX_BACKFILL_CONCURRENCY}`),
    );
    assertRefused(
      await post(api.port, '/v1/training-runs', { asOf: '2015-07-31', concurrency: 10_000 }),
      400,
      'concurrency',
      new RegExp(`at most ${MAX_TRAINING_CONCURRENCY}`),
    );
    assertRefused(
      await post(api.port, '/v1/tabular-runs', {
        model: 'bigmart',
        source: { kind: 'csv', uri: 'gs://retailflow-test/bigmart/Train.csv' },
        search: { concurrency: 10_000 },
      }),
      400,
      'search.concurrency',
      /from 1 to 64, got 10000/,
    );
    assertRefused(
      await post(api.port, '/v1/power-user-runs', {
        events: 'ga4',
        labeling: { cutoff: '2020-12-01' },
        search: { concurrency: 10_000 },
      }),
      400,
      'search.concurrency',
      /from 1 to 64, got 10000/,
    );
  });

  it('refuses 10,000 events in one request: over the body limit with 413, under it with 400 naming the cap', async () => {
    const events = Array.from({ length: 10_000 }, (_, i) => saleEvent(1 + (i % 5), '2026-01-15'));
    assertRefused(
      await post(api.port, '/v1/sales/events', events),
      413,
      undefined,
      new RegExp(`larger than ${api.cfg.api.bodyLimitBytes} bytes`),
    );
    const roomy = await serveApi({ API_BODY_LIMIT_BYTES: String(8 * MB) });
    try {
      const answer = await post(roomy.port, '/v1/sales/events', events);
      assertRefused(answer, 400, 'body', /the batch has 10000 events; send at most 5000 per request/);
      assert.equal(answer.body.error.code, 'batch_too_large');
    } finally {
      await stop(roomy);
    }
  });

  for (const declareLength of [true, false])
    it(`answers a 100 MB upload ${declareLength ? 'with its length declared' : 'sent chunked'} with 413 before reading it, without buffering it`, async () => {
      const total = 100 * MB;
      const answer = await upload(api.port, '/v1/sales/events', total, declareLength);
      assertRefused(answer, 413, undefined, new RegExp(`larger than ${api.cfg.api.bodyLimitBytes} bytes`));
      assert.equal(answer.body.error.code, 'payload_too_large');
      assert.ok(answer.sent < total / 4, `the server answered only after ${answer.sent} of ${total} bytes`);
      assert.ok(answer.peakGrowth < 40 * MB, `memory grew by ${(answer.peakGrowth / MB).toFixed(1)} MB`);
    });
});

describe('bad input at scale started as workflows directly', () => {
  let deps: ApiDeps;
  const cfg = testConfig();
  before(() => {
    deps = createApiDeps(cfg);
  });
  after(() => closeApiDeps(deps));

  const start = (type: string, queue: string, args: unknown[]) =>
    deps.temporal.workflow.start(type, { workflowId: uniqueId(`limits-${type}`), taskQueue: queue, args });

  it('backfillIngest and weeklyTraining refuse a range or a concurrency past their caps at once', async () => {
    const queues = cfg.temporal.taskQueues;
    await withWorker(cfg, queues.ingest, async () => {
      await assertInvalidInput(
        await start('backfillIngest', queues.ingest, [{ from: '1990-01-01', to: '2020-12-31', concurrency: 4 }]),
        new RegExp(`^to: the range covers more than ${MAX_BACKFILL_DAYS} days`),
      );
      await assertInvalidInput(
        await start('backfillIngest', queues.ingest, [{ from: '2015-01-01', to: '2015-01-31', concurrency: 10_000 }]),
        new RegExp(`^concurrency: must be a whole number from 1 to ${MAX_BACKFILL_CONCURRENCY}, got 10000`),
      );
    });
    await withWorker(cfg, queues.training, async () => {
      await assertInvalidInput(
        await start('weeklyTraining', queues.training, [
          { ...DEFAULT_TRAINING, asOf: '2015-07-31', concurrency: 10_000 },
        ]),
        new RegExp(`^concurrency: must be a whole number from 1 to ${MAX_TRAINING_CONCURRENCY}, got 10000`),
      );
    });
  });
});
