// The segment routes against the real stack: the seed's /predict (request, answer and error
// shapes), /v1/segments/predict, the production model's segments, customers' stored segments, and
// segmentation runs, with versions made by the real ml/segmentation code from a generated file and
// registered through the registry. A promotion reaches the API's in-memory model by NOTIFY.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import { DEFAULT_SEGMENTATION, SEGMENTATION_MODEL, SEGMENTATION_RUN_PREFIX } from '../../contracts/segmentation.ts';
import type { RetailTransaction } from '../../ml/segmentation/cleaning.ts';
import { customerFeatures, type CustomerFeatures } from '../../ml/segmentation/features.ts';
import { predictSegment } from '../../ml/segmentation/predict.ts';
import { createPool, type Pool } from '../../platform/postgres.ts';
import { registry } from '../../platform/metrics.ts';
import { recordSegmentationRun } from '../../platform/runs.ts';
import { registerSegmentationVersion } from '../../platform/segmentRegistry.ts';
import { connectClient } from '../../platform/temporal.ts';
import {
  fitSegmentation,
  generatedTransactions,
  registerFitted,
  type FittedSegmentation,
} from '../helpers/segmentation.ts';
import { sampleValue } from '../helpers/scrape.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';

const ADMIN = 'admin-key-for-segment-tests';
const LATEST = '2011-12-11';
const LATEST_MS = Date.parse(`${LATEST}T00:00:00Z`);

type SeedTransaction = {
  customer_id: string | number;
  invoice_no: string;
  invoice_date: string;
  quantity: number;
  unit_price: number;
};
type ProjectError = { error: { code: string; message: string; field?: string } };
interface Prediction {
  customer_id: string;
  segment: number;
  label: string;
  features: Omit<CustomerFeatures, 'customerId'>;
  model_version: number;
}

/** A generated transaction as a seed client sends it (the date as the UCI export writes it, every other one). */
const seedTransaction = (t: RetailTransaction, i: number): SeedTransaction => {
  const iso = new Date(t.invoiceDate).toISOString();
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  return {
    customer_id: t.customerId!,
    invoice_no: t.invoiceNo,
    invoice_date:
      i % 2 ? `${m}/${d}/${y} ${Number(iso.slice(11, 13))}:${iso.slice(14, 16)}` : iso.slice(0, 19).replace('T', ' '),
    quantity: t.quantity,
    unit_price: t.unitPrice,
  };
};

/** What ml/segmentation says for these transactions as of LATEST, per customer. */
const expected = (model: FittedSegmentation['params'], transactions: readonly RetailTransaction[]) =>
  customerFeatures(
    transactions.map((t) => ({
      customerId: t.customerId!,
      invoiceNo: t.invoiceNo,
      invoiceDate: t.invoiceDate,
      quantity: t.quantity,
      unitPrice: t.unitPrice,
    })),
    LATEST_MS,
  ).map((f) => ({ customerId: f.customerId, segment: predictSegment(model, f), features: f }));

describe('customer segment API against the real stack', () => {
  let pool: Pool;
  let client: Client;
  let apiDeps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  let transactions: RetailTransaction[];
  let byCustomer: Map<string, RetailTransaction[]>;
  let first: FittedSegmentation;
  let firstVersion: number;
  const firstRun = uniqueId(`${SEGMENTATION_RUN_PREFIX}api-test-a`);

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(url, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
  const get = async (url: string) => {
    const res = await app.request(url);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & ProjectError };
  };
  /** Three transactions of a customer, as a seed client sends them. */
  const threeOf = (id: string) => byCustomer.get(id)!.slice(0, 3);
  const customersWith = (n: number) => [...byCustomer.keys()].filter((id) => byCustomer.get(id)!.length >= n);

  before(async () => {
    const cfg = testConfig({ API_KEYS: `ops:admin:${ADMIN}` });
    pool = createPool(cfg.postgres, 'retailflow-test');
    client = await connectClient(cfg.temporal);
    // No production segmentation model yet, whatever ran before in this stack.
    await pool.query(`UPDATE model_versions SET stage = 'archived' WHERE model = $1 AND stage = 'production'`, [
      SEGMENTATION_MODEL,
    ]);
    transactions = generatedTransactions({ seed: 13, customers: 300, rows: 20_000 });
    byCustomer = new Map();
    for (const t of transactions) byCustomer.set(t.customerId!, [...(byCustomer.get(t.customerId!) ?? []), t]);
    first = fitSegmentation(transactions, 3);
    apiDeps = createApiDeps(cfg);
    app = createApp(apiDeps);
  });
  after(async () => {
    await closeApiDeps(apiDeps);
    await client.connection.close();
    await pool.end();
  });

  it('answers 409 saying to run segmentation while no model is in production', async () => {
    const [id] = customersWith(3);
    const body = { latest_date: LATEST, transactions: threeOf(id!).map(seedTransaction) };
    const seed = await post('/predict', body);
    assert.equal(seed.status, 409);
    const seedError = (await seed.json()) as { error: string };
    assert.equal(typeof seedError.error, 'string', "the seed's error shape");
    assert.match(seedError.error, /run segmentation.*POST \/v1\/segmentation-runs/);
    const many = await post('/v1/segments/predict', body);
    assert.equal(many.status, 409);
    assert.equal(((await many.json()) as ProjectError).error.code, 'no_segmentation_model');
    assert.equal((await get('/v1/segments')).status, 409);
    assert.equal((await get('/v1/segments/customers')).status, 409);
    assert.equal((await get(`/v1/customers/${id}/segment`)).status, 409);
  });

  it("answers the seed's request with the seed's shape and the model's segment", async () => {
    const promotions = async () =>
      sampleValue(await registry.metrics(), 'retailflow_promotions_total', { kind: 'customer_segments' });
    const counted = await promotions();
    const registration = await registerFitted(pool, firstRun, first);
    firstVersion = registration.version;
    assert.equal(registration.promoted, true);
    assert.equal(await promotions(), counted + 1);
    // The registering step retried after its commit: the recorded registration, not counted again.
    const again = await registerSegmentationVersion(
      pool,
      { runId: firstRun, params: first.params, metrics: first.metrics, assignments: [] },
      () => assert.fail('a recorded registration is not decided again'),
    );
    assert.deepEqual(again, registration);
    assert.equal(await promotions(), counted + 1);

    // The seed README's own request: one customer, three transactions, dates as days.
    const readme = {
      latest_date: '2011-12-11',
      transactions: [
        { customer_id: '12347', invoice_no: '536365', invoice_date: '2011-12-08', quantity: 6, unit_price: 2.55 },
        { customer_id: '12347', invoice_no: '536366', invoice_date: '2011-12-09', quantity: 3, unit_price: 3.39 },
        { customer_id: '12347', invoice_no: '536367', invoice_date: '2011-12-10', quantity: 9, unit_price: 4.99 },
      ],
    };
    const res = await post('/predict', readme);
    assert.equal(res.status, 200);
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
    const [readmeCustomer] = customerFeatures(
      readme.transactions.map((t) => ({
        customerId: t.customer_id,
        invoiceNo: t.invoice_no,
        invoiceDate: day(t.invoice_date),
        quantity: t.quantity,
        unitPrice: t.unit_price,
      })),
      day(readme.latest_date),
    );
    assert.deepEqual(await res.json(), { 'Predicted Cluster': predictSegment(first.params, readmeCustomer!) });

    // Generated customers of every segment, each with all their transactions.
    const seen = new Set<number>();
    for (const id of customersWith(1).slice(0, 60)) {
      const theirs = byCustomer.get(id)!;
      const [want] = expected(first.params, theirs);
      const answer = await post('/predict', { latest_date: LATEST, transactions: theirs.map(seedTransaction) });
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { 'Predicted Cluster': want!.segment }, `customer ${id}`);
      seen.add(want!.segment);
    }
    assert.ok(seen.size >= 2, `the customers tried fall in more than one segment (${[...seen].join(', ')})`);

    // Several customers: the seed answers for the first in pandas' order.
    const [a, b] = customersWith(3).sort((x, y) => Number(y) - Number(x));
    const mixed = [...threeOf(a!), ...threeOf(b!)].map((t, i) => ({
      ...seedTransaction(t, i),
      customer_id: Number(t.customerId),
    }));
    const several = await post('/predict', { latest_date: LATEST, transactions: mixed });
    assert.deepEqual(await several.json(), {
      'Predicted Cluster': expected(first.params, threeOf(b!))[0]!.segment,
    });
  });

  it('answers /v1/segments/predict for every customer with features, label and version', async () => {
    const ids = customersWith(2).slice(0, 12);
    const sent = ids.flatMap((id) => byCustomer.get(id)!);
    const res = await post('/v1/segments/predict', { latest_date: LATEST, transactions: sent.map(seedTransaction) });
    assert.equal(res.status, 200);
    const { customers } = (await res.json()) as { customers: Prediction[] };
    const want = expected(first.params, sent);
    assert.equal(customers.length, ids.length);
    assert.deepEqual(
      customers,
      want.map(({ customerId, segment, features: { customerId: _id, ...features } }) => ({
        customer_id: customerId,
        segment,
        label: first.params.profiles[segment]!.label,
        features,
        model_version: firstVersion,
      })),
    );
  });

  it('refuses bad requests with 400 naming the field, in the seed shape on /predict', async () => {
    const [id] = customersWith(3);
    const ok = { latest_date: LATEST, transactions: threeOf(id!).map(seedTransaction) };
    const withTransaction = (change: Record<string, unknown>) => ({
      ...ok,
      transactions: [ok.transactions[0], { ...ok.transactions[1], ...change }],
    });
    const noDate = { transactions: ok.transactions };
    const noInvoice = Object.fromEntries(Object.entries(ok.transactions[0]!).filter(([k]) => k !== 'invoice_no'));
    const cases: [unknown, string, RegExp][] = [
      [noDate, 'latest_date', /is required/],
      [{ ...ok, latest_date: '2011-02-30' }, 'latest_date', /not a real calendar date/],
      [{ ...ok, latest_date: 'yesterday' }, 'latest_date', /must be a date like/],
      [withTransaction({ invoice_date: '2011-13-01' }), 'transactions.1.invoice_date', /not a real calendar date/],
      [withTransaction({ invoice_date: '8 Dec 2011' }), 'transactions.1.invoice_date', /must be a date like/],
      [withTransaction({ quantity: '6' }), 'transactions.1.quantity', /must be a number, got "6"/],
      [withTransaction({ unit_price: null }), 'transactions.1.unit_price', /must be a number, got null/],
      [{ ...ok, transactions: [] }, 'transactions', /at least one transaction/],
      [{ latest_date: LATEST }, 'transactions', /is required/],
      [{ ...ok, transactions: [noInvoice] }, 'transactions.0.invoice_no', /is required/],
      [withTransaction({ customer_id: '' }), 'transactions.1.customer_id', /must not be empty/],
      [
        withTransaction({ customer_id: [1] }),
        'transactions.1.customer_id',
        /must be a non-empty string or a whole number/,
      ],
      [[ok], 'body', /JSON object/],
    ];
    for (const [body, field, message] of cases) {
      const seed = await post('/predict', body);
      assert.equal(seed.status, 400, `${field}: ${JSON.stringify(body).slice(0, 200)}`);
      const seedError = (await seed.json()) as { error: string };
      assert.equal(typeof seedError.error, 'string', "the seed's shape: a message");
      assert.ok(seedError.error.startsWith(`${field}: `), seedError.error);
      assert.match(seedError.error, message);

      const many = await post('/v1/segments/predict', body);
      assert.equal(many.status, 400);
      const error = ((await many.json()) as ProjectError).error;
      assert.deepEqual([error.code, error.field], ['invalid_request', field]);
    }
    const broken = await post('/predict', '{"latest_date": ');
    assert.equal(broken.status, 400);
    assert.deepEqual(await broken.json(), { error: 'the request body is not valid JSON' });

    const huge = await post('/predict', { ...ok, padding: 'x'.repeat(apiDeps.cfg.api.bodyLimitBytes) });
    assert.equal(huge.status, 413);
    assert.equal(((await huge.json()) as ProjectError).error.code, 'payload_too_large');
  });

  it("shows the production model's segments, a sample of its customers, and each customer's segment", async () => {
    const { status, body } = await get('/v1/segments');
    assert.equal(status, 200);
    assert.equal(body.version, firstVersion);
    assert.equal(body.runId, firstRun);
    assert.equal(body.k, 3);
    assert.deepEqual(body.segments, JSON.parse(JSON.stringify(first.params.profiles)));
    assert.deepEqual(body.metrics, first.metrics);

    const assigned = new Map(first.customers.map((c, i) => [c.customerId, { ...c, segment: first.segments[i]! }]));
    const sample = await get('/v1/segments/customers?limit=50');
    assert.equal(sample.status, 200);
    assert.equal(sample.body.total, first.customers.length);
    const shown = sample.body.customers as (CustomerFeatures & { segment: number })[];
    assert.equal(shown.length, 50);
    for (const c of shown) assert.deepEqual(c, assigned.get(c.customerId));
    assert.deepEqual((await get('/v1/segments/customers?limit=50')).body.customers, shown, 'the same sample again');
    const tooMany = await get('/v1/segments/customers?limit=5001');
    assert.deepEqual([tooMany.status, tooMany.body.error.field], [400, 'limit']);

    const [someone] = [...assigned.values()];
    const { customerId, segment, ...features } = someone!;
    const found = await get(`/v1/customers/${customerId}/segment`);
    assert.equal(found.status, 200);
    assert.deepEqual(found.body, {
      customerId,
      segment,
      label: first.params.profiles[segment]!.label,
      modelVersion: firstVersion,
      runId: firstRun,
      features,
    });
    const unknown = await get('/v1/customers/no-such-customer/segment');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.field, 'id');
  });

  it('lists segmentation runs and follows one; starting one needs the admin key and good options', async () => {
    const { body } = await get('/v1/segmentation-runs?limit=10');
    const runs = body.runs as { run_id: string; status: string; registration: { version: number } | null }[];
    const mine = runs.find((r) => r.run_id === firstRun);
    assert.equal(mine?.status, 'done');
    assert.equal(mine?.registration?.version, firstVersion);
    const one = await get(`/v1/segmentation-runs/${firstRun}`);
    assert.equal(one.status, 200);
    assert.match(String(one.body.temporalUrl), new RegExp(`/workflows/${firstRun}`));
    assert.equal((await get('/v1/segmentation-runs/segmentation-nope')).status, 404);
    const listed = await get('/v1/runs?kind=segmentation&limit=50');
    assert.ok((listed.body.runs as { id: string }[]).some((r) => r.id === firstRun));

    assert.equal((await post('/v1/segmentation-runs', {})).status, 401);
    const admin = { authorization: `Bearer ${ADMIN}` };
    for (const [options, field] of [
      [{ kMin: 6, kMax: 4 }, 'kMin'],
      [{ k: 11 }, 'k'],
      [{ asOf: '2011-02-30' }, 'asOf'],
      [{ restarts: 0 }, 'restarts'],
      [{ from: '2011-12-10', asOf: '2011-12-09' }, 'from'],
      [{ clusters: 5 }, 'body'],
    ] as const) {
      const res = await post('/v1/segmentation-runs', options, admin);
      assert.equal(res.status, 400, JSON.stringify(options));
      assert.equal(((await res.json()) as ProjectError).error.field, field);
    }
  });

  it('starts the customerSegmentation workflow with the options given, one run at a time', async () => {
    const admin = { authorization: `Bearer ${ADMIN}` };
    const res = await post('/v1/segmentation-runs', { asOf: '2011-12-09', kMin: 3, kMax: 6 }, admin);
    assert.equal(res.status, 202);
    const started = (await res.json()) as { workflowId: string; runId: string; temporalUrl: string };
    assert.ok(started.workflowId.startsWith(SEGMENTATION_RUN_PREFIX), started.workflowId);
    const handle = client.workflow.getHandle(started.workflowId);
    try {
      const described = await handle.describe();
      assert.equal(described.type, 'customerSegmentation');
      assert.equal(described.taskQueue, apiDeps.cfg.temporal.taskQueues.training);
      const { arguments: args } = await handle.fetchHistory().then((h) => ({
        arguments: h.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads,
      }));
      // The history holds the input encrypted: decoded as the client decodes results.
      const [options] = await decodeArrayFromPayloads(client.options.loadedDataConverter, args);
      assert.deepEqual(options, {
        kMin: 3,
        kMax: 6,
        restarts: 10,
        seed: 42,
        promotionMargin: 0.02,
        asOf: '2011-12-09',
      });

      // Once its first activity has recorded the run, a second start is refused while it runs.
      await recordSegmentationRun(pool, {
        runId: started.workflowId,
        workflowRunId: started.runId,
        stage: 'exporting',
        options: { ...DEFAULT_SEGMENTATION, asOf: '2011-12-09', kMin: 3, kMax: 6 },
        counts: { transactions: 0, cleaned: 0, customers: 0, kTotal: 4, kDone: 0, assigned: 0 },
      });
      const again = await post('/v1/segmentation-runs', {}, admin);
      assert.equal(again.status, 409);
      assert.match(
        ((await again.json()) as ProjectError).error.message,
        new RegExp(`${started.workflowId} is running`),
      );
      // No worker answers its progress query: the row is shown, without progress, within the API's deadline.
      const followed = await get(`/v1/segmentation-runs/${started.workflowId}`);
      assert.equal(followed.status, 200);
      assert.deepEqual([followed.body.stage, followed.body.progress], ['exporting', undefined]);
    } finally {
      await handle.terminate('test: no worker runs it');
    }
    // Its workflow has closed without recording the end: following it settles it, and a new start is taken.
    // (Temporal is not asked for a few seconds after the unanswered progress query above.)
    const settled = await until('the terminated run to be settled on read', async () => {
      const { body } = await get(`/v1/segmentation-runs/${started.workflowId}`);
      return body.status === 'terminated' && body;
    });
    assert.match(settled.error as unknown as string, /closed as TERMINATED \(test: no worker runs it\)/);
    const next = await post('/v1/segmentation-runs', {}, admin);
    assert.equal(next.status, 202);
    const nextId = ((await next.json()) as { workflowId: string }).workflowId;
    assert.notEqual(nextId, started.workflowId);
    await client.workflow.getHandle(nextId).terminate('test: no worker runs it');
  });

  it('serves a newly promoted version at once: the NOTIFY reaches the in-memory model', async () => {
    const ids = customersWith(2).slice(0, 30);
    const sent = ids.flatMap((id) => byCustomer.get(id)!).map(seedTransaction);
    const before = (await (await post('/v1/segments/predict', { latest_date: LATEST, transactions: sent })).json()) as {
      customers: Prediction[];
    };
    assert.ok(before.customers.every((c) => c.model_version === firstVersion));

    const second = fitSegmentation(transactions, 5, 7);
    const registration = await registerFitted(pool, uniqueId(`${SEGMENTATION_RUN_PREFIX}api-test-b`), second);
    assert.ok(registration.version > firstVersion);
    const after = await until('the API to serve the new version', async () => {
      const answer = (await (
        await post('/v1/segments/predict', { latest_date: LATEST, transactions: sent })
      ).json()) as { customers: Prediction[] };
      return answer.customers[0]?.model_version === registration.version && answer;
    });
    const want = expected(
      second.params,
      ids.flatMap((id) => byCustomer.get(id)!),
    );
    assert.deepEqual(
      after.customers.map((c) => [c.customer_id, c.segment, c.label]),
      want.map((w) => [w.customerId, w.segment, second.params.profiles[w.segment]!.label]),
    );
    const [someone] = want;
    const seed = await post('/predict', {
      latest_date: LATEST,
      transactions: byCustomer.get(someone!.customerId)!.map(seedTransaction),
    });
    assert.deepEqual(await seed.json(), { 'Predicted Cluster': someone!.segment });
    assert.equal((await get('/v1/segments')).body.k, 5);
  });
});
