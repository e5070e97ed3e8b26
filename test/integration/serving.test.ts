// The serving side of the API against the real stack: on-demand forecasts from the in-memory
// production models (refreshed on promotion), sales history, schedules, keys from the CLI and the
// read role, the retrain rate limit, and the OpenAPI document against the routes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { Client } from '@temporalio/client';
import { closeDeps, createDeps, type Deps } from '../../activities/deps.ts';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { ProductionModels } from '../../platform/productionModels.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import { addDays } from '../../domain/dates.ts';
import { createLogger } from '../../platform/logger.ts';
import { postgresConnection } from '../../platform/postgres.ts';
import { ensureSchedules } from '../../platform/schedules.ts';
import { connectClient } from '../../platform/temporal.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { trainedSeries } from '../helpers/trainedSeries.ts';
import { withWorker } from '../../workers/inProcess.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const cfg = testConfig();
const AS_OF = '2014-09-30';
const PRODUCT = 'sv';
const ADMIN = 'admin-key-for-serving-tests';
const ADMIN2 = 'second-admin-key-for-serving';
const WRITER = 'writer-key-for-serving-tests';

interface ForecastAnswer {
  request: { store_id: string; product_name: string; begin_date: string; end_date: string };
  forecast: {
    timestamp: string;
    value: number;
    lower_ci: number;
    upper_ci: number;
    calendar: { source: string; open: boolean; promo: boolean; state_holiday: string; school_holiday: boolean };
    drivers?: { level: number; factors: Record<string, number> } | null;
  }[];
  api: { model_name: string; model_version: number };
}
type ErrorAnswer = { error: { code: string; message: string; field?: string } };

describe('serving forecasts and operating the API against the real stack', () => {
  let deps: Deps;
  let client: Client;
  let apiDeps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  let store: number;
  const post = (url: string, body: unknown, key?: string) =>
    app.request(url, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    });
  const forecast = async (items: unknown) => {
    const res = await post('/v1/forecast', items);
    return { status: res.status, body: (await res.json()) as ForecastAnswer[] & ErrorAnswer };
  };

  before(async () => {
    deps = createDeps(cfg, 'retailflow-test');
    client = await connectClient(cfg.temporal);
    const report = await trainedSeries(cfg, deps, client, {
      product: PRODUCT,
      stores: 6,
      from: '2014-03-01',
      asOf: AS_OF,
      seed: 11,
    });
    assert.equal(report.counts.fitted, 6);
    store = 1;
    apiDeps = createApiDeps(
      testConfig({
        API_KEYS: `ops:admin:${ADMIN},ops2:admin:${ADMIN2},producer:write:${WRITER}`,
        API_RETRAINS_PER_MINUTE: '3',
      }),
    );
    app = createApp(apiDeps);
  });
  after(async () => {
    await closeApiDeps(apiDeps);
    await client.connection.close();
    await closeDeps(deps);
  });

  it("answers POST /v1/forecast in the reference's shape, from the production model, matching the weekly forecast", async () => {
    const begin = addDays(AS_OF, 1);
    const { status, body } = await forecast([
      {
        store_id: String(store),
        product_name: PRODUCT,
        begin_date: `${begin}T00:00:00Z`,
        end_date: `${addDays(begin, 6)}T00:00:00Z`,
      },
      { store_id: 2, product_name: PRODUCT, begin_date: begin },
    ]);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.length, 2);
    const [first, second] = body as unknown as [ForecastAnswer, ForecastAnswer];
    assert.deepEqual(first.request, {
      store_id: '1',
      product_name: PRODUCT,
      begin_date: begin,
      end_date: addDays(begin, 6),
    });
    assert.deepEqual(
      first.forecast.map((p) => p.timestamp),
      Array.from({ length: 7 }, (_, i) => `${addDays(begin, i)}T00:00:00`),
    );
    assert.equal(second.forecast.length, 8, 'a left-out end_date is begin + 7, both included (as the reference)');
    for (const p of [...first.forecast, ...second.forecast]) {
      assert.ok(Number.isInteger(p.value) && p.lower_ci <= p.value && p.value <= p.upper_ci, JSON.stringify(p));
    }
    const {
      rows: [production],
    } = await deps.pool.query<{ version: number }>(
      `SELECT version FROM model_versions WHERE model = $1 AND stage = 'production'`,
      [`sales-forecast:${store}:${PRODUCT}`],
    );
    assert.deepEqual(first.api, {
      model_name: `sales-forecast:${store}:${PRODUCT}`,
      model_version: production!.version,
    });
    // The weekly run forecast the same 7 days from the same model and calendar.
    const weekly = (await (await app.request(`/v1/forecasts?store=${store}&product=${PRODUCT}`)).json()) as {
      forecast: { forecast: number }[];
    };
    assert.deepEqual(
      first.forecast.map((p) => p.value),
      weekly.forecast.map((p) => Math.round(p.forecast)),
    );
  });

  it('forecasts on the planned calendar for exactly the days it covers, and on a what-if sent with the request', async () => {
    const begin = addDays(AS_OF, 1);
    const item = { store_id: store, product_name: PRODUCT, begin_date: begin, end_date: addDays(begin, 6) };
    const assumed = (await forecast([item])).body[0]!.forecast;
    assert.deepEqual(
      assumed.map((p) => p.calendar.source),
      Array(7).fill('assumed'),
    );
    const day = (i: number, open: 0 | 1, promo: 0 | 1) => ({
      store_id: store,
      date: addDays(begin, i),
      open,
      promo,
      state_holiday: '0',
      school_holiday: 0,
    });
    const plan = [
      day(1, 0, 0),
      day(2, 1, 1),
      { ...day(3, 1, 0), state_holiday: 'x' },
      { ...day(4, 1, 0), store_id: 999 },
    ];
    assert.equal((await post('/v1/calendar', plan)).status, 401);
    for (let sent = 0; sent < 2; sent++) {
      const res = await post('/v1/calendar', plan, WRITER);
      assert.deepEqual(await res.json(), {
        stored: 2,
        rejected: [
          { index: 2, field: 'state_holiday', reason: 'must be one of 0, a, b, c, got "x"' },
          { index: 3, field: 'store_id', reason: 'no store 999' },
        ],
      });
    }
    // Within the days sent: other files may plan other days of store 1 on the shared stack.
    const { rows } = await deps.pool.query(
      'SELECT date FROM planned_calendar WHERE store_id = $1 AND date BETWEEN $2 AND $3',
      [store, begin, addDays(begin, 4)],
    );
    assert.equal(rows.length, 2, 'the plan sent twice is stored once');
    const stored = (await (await app.request(`/v1/calendar/${store}?from=${begin}`)).json()) as { days: unknown[] };
    assert.deepEqual(stored.days, [
      { date: addDays(begin, 1), open: false, promo: false, state_holiday: '0', school_holiday: false },
      { date: addDays(begin, 2), open: true, promo: true, state_holiday: '0', school_holiday: false },
    ]);

    const planned = (await forecast([item])).body[0]!.forecast;
    assert.deepEqual(
      planned.map((p) => p.calendar.source),
      ['assumed', 'plan', 'plan', 'assumed', 'assumed', 'assumed', 'assumed'],
    );
    assert.equal(planned[1]!.value, 0, 'closed as planned');
    assert.deepEqual(planned[2]!.calendar, {
      source: 'plan',
      open: true,
      promo: true,
      state_holiday: '0',
      school_holiday: false,
    });
    // Other days keep the assumed calendar, though not always their value: the engine sees a closure's
    // neighbours (days before and after a closure sell more).
    assert.notEqual(planned[0]!.value, assumed[0]!.value, 'the day before a closure');

    // Each day's drivers on request: level times factors is 1 + the value (both rounded).
    const explained = (await forecast([{ ...item, explain: true }])).body[0]!.forecast;
    assert.equal(explained[1]!.drivers, null, 'a closed day has no drivers');
    for (const p of explained.filter((q) => q.calendar.open)) {
      const product = Object.values(p.drivers!.factors).reduce((a, f) => a * f, p.drivers!.level);
      assert.ok(Math.abs(product - (p.value + 1)) < 0.01 * p.value, JSON.stringify(p));
    }
    assert.equal(planned[0]!.drivers, undefined, 'drivers only when asked');

    // A what-if over the plan: day 2 without its promo, for this answer only.
    const noPromo = { date: addDays(begin, 2), open: 1, promo: 0, state_holiday: '0', school_holiday: 0 };
    const whatIf = (await forecast([{ ...item, calendar: [noPromo] }])).body[0]!.forecast;
    assert.deepEqual(
      whatIf.map((p) => p.calendar.source),
      ['assumed', 'plan', 'request', 'assumed', 'assumed', 'assumed', 'assumed'],
    );
    assert.ok(whatIf[2]!.value < planned[2]!.value, `no promo sells less: ${whatIf[2]!.value} vs ${planned[2]!.value}`);
    assert.deepEqual((await forecast([item])).body[0]!.forecast, planned, 'the what-if stored nothing');

    const twice = await forecast([{ ...item, calendar: [noPromo, noPromo] }]);
    assert.equal(twice.status, 400);
    assert.equal(twice.body.error.field, '0.calendar.1.date');
    await deps.pool.query('DELETE FROM planned_calendar WHERE store_id = $1', [store]);
  });

  it('refuses bad forecast requests with the field named, and unknown series with 404', async () => {
    const ok = { store_id: '1', product_name: PRODUCT, begin_date: '2014-10-01', end_date: '2014-10-07' };
    const cases: [unknown, number, string][] = [
      [[{ ...ok, store_id: 'x' }], 400, '0.store_id'],
      [[ok, { ...ok, begin_date: '2014-02-30' }], 400, '1.begin_date'],
      [[{ ...ok, end_date: '2014/10/07' }], 400, '0.end_date'],
      [[{ ...ok, end_date: '2014-09-01' }], 400, '0.end_date'],
      [[{ ...ok, end_date: '2015-10-07' }], 400, '0.end_date'],
      [[{ ...ok, product_name: 'a b' }], 400, '0.product_name'],
      [[], 400, 'body'],
      [ok, 400, 'body'],
      [[{ ...ok, store_id: '99999' }], 404, ''],
      [[{ ...ok, product_name: 'nothing' }], 404, '0.product_name'],
    ];
    for (const [items, status, field] of cases) {
      const res = await forecast(items);
      assert.equal(res.status, status, `${JSON.stringify(items)} -> ${JSON.stringify(res.body)}`);
      if (field) assert.equal(res.body.error.field, field, res.body.error.message);
    }
    const longest = await forecast([{ ...ok, begin_date: '2014-10-01', end_date: '2015-09-30' }]);
    assert.equal(longest.status, 200, 'exactly 365 days is allowed');
    assert.equal((longest.body as ForecastAnswer[])[0]!.forecast.length, 365);
    const notJson = await app.request('/v1/forecast', {
      method: 'POST',
      body: '[{',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(notJson.status, 400);
    assert.equal(((await notJson.json()) as ErrorAnswer).error.code, 'invalid_json');
  });

  it('serves the promoted version as soon as the registry changes it (rollback included)', async () => {
    const model = `sales-forecast:${store}:${PRODUCT}`;
    const item = [{ store_id: String(store), product_name: PRODUCT }];
    const before = (await forecast(item)).body[0]!.api.model_version;
    // A second version of the model from a retrain, then a promotion of the other one.
    const started = (await (await post(`/v1/models/${store}/${PRODUCT}/retrain`, {}, ADMIN)).json()) as {
      workflowId: string;
    };
    await withWorker(cfg, cfg.temporal.taskQueues.interactive, () =>
      client.workflow.getHandle(started.workflowId).result(),
    );
    const { rows } = await deps.pool.query<{ version: number; stage: string }>(
      'SELECT version, stage FROM model_versions WHERE model = $1 ORDER BY version',
      [model],
    );
    const production = rows.find((r) => r.stage === 'production')!.version;
    const other = rows.find((r) => r.stage !== 'production')!.version;
    const servedSoon = async (version: number) => {
      for (let i = 0; i < 50; i++) {
        if ((await forecast(item)).body[0]!.api.model_version === version) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail(`version ${version} was not served within 5 s`);
    };
    await servedSoon(production);
    assert.equal((await post(`/v1/models/${store}/${PRODUCT}/versions/${other}/promote`, {}, ADMIN)).status, 200);
    await servedSoon(other);
    assert.ok([production, other].includes(before));
  });

  it('closes its promotion listener even when closed while still connecting (so the API can exit)', async () => {
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    const before = sockets();
    const models = new ProductionModels(deps.pool, deps.store, createLogger('test', 'silent'));
    models.listen(postgresConnection(cfg.postgres));
    await models.close();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(sockets(), before);
  });

  it("shows a series' recent sales for the chart", async () => {
    const res = await app.request(`/v1/sales/history?store=${store}&product=${PRODUCT}&days=56`);
    const body = (await res.json()) as { days: { date: string; sales: number; open: boolean }[] };
    assert.equal(res.status, 200);
    assert.equal(body.days.length, 56);
    assert.equal(body.days.at(-1)!.date, AS_OF);
    assert.equal((await app.request(`/v1/sales/history?store=99999&product=${PRODUCT}`)).status, 404);
    assert.equal((await app.request(`/v1/sales/history?store=${store}&product=nothing`)).status, 404);
    const bad = await app.request(`/v1/sales/history?store=${store}&days=0`);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as ErrorAnswer).error.field, 'days');
  });

  it('limits retrains per key with a clear 429', async () => {
    // Three per minute per key (API_RETRAINS_PER_MINUTE=3); one was used above. Other series, so none joins another.
    const statuses: number[] = [];
    for (const s of [2, 3, 4]) statuses.push((await post(`/v1/models/${s}/${PRODUCT}/retrain`, {}, ADMIN)).status);
    assert.deepEqual(statuses, [202, 202, 429]);
    const limited = await post(`/v1/models/5/${PRODUCT}/retrain`, {}, ADMIN);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    const err = (await limited.json()) as ErrorAnswer;
    assert.equal(err.error.code, 'rate_limited');
    assert.match(err.error.message, /key "ops" may start 3 retrains per minute; try again in \d+ s/);
    assert.equal(
      (await post(`/v1/models/5/${PRODUCT}/retrain`, {}, ADMIN2)).status,
      202,
      'another key has its own budget',
    );
    await withWorker(cfg, cfg.temporal.taskQueues.interactive, () =>
      Promise.all([2, 3, 5].map((s) => client.workflow.getHandle(`retrain-${s}-${PRODUCT}`).result())),
    );
  });

  it('lists, triggers, pauses and unpauses the schedules', async () => {
    await ensureSchedules(client, cfg);
    const list = (await (await app.request('/v1/schedules')).json()) as {
      schedules: { id: string; paused: boolean; nextRuns: string[]; timeZone: string }[];
    };
    assert.deepEqual(
      list.schedules.map((s) => s.id),
      [
        'daily-ingest',
        'weekly-training',
        'monthly-segmentation',
        'weekly-bigmart',
        'daily-air-quality',
        'reconcile-runs',
      ],
    );
    // the air-quality retraining keeps the seed's New York 21:00; the rest run in the stores' time zone
    assert.ok(
      list.schedules.every(
        (s) =>
          s.nextRuns.length > 0 &&
          s.timeZone === (s.id === 'daily-air-quality' ? 'America/New_York' : cfg.ingestTimeZone),
      ),
    );
    // The segmentation runs on the 1st at 02:00 in the stores' time zone.
    const monthly = list.schedules.find((s) => s.id === 'monthly-segmentation')!;
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: cfg.ingestTimeZone,
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    for (const next of monthly.nextRuns) assert.equal(local.format(new Date(next)), '1, 02:00');
    assert.equal((await post('/v1/schedules/weekly-training/pause', {})).status, 401);
    assert.equal((await post('/v1/schedules/weekly-training/pause', {}, WRITER)).status, 403);
    const paused = await post('/v1/schedules/weekly-training/pause', {}, ADMIN);
    assert.equal(paused.status, 200);
    assert.equal(((await paused.json()) as { paused: boolean }).paused, true);
    assert.equal((await post('/v1/schedules/weekly-training/pause', {}, ADMIN)).status, 409);
    const unpaused = await post('/v1/schedules/weekly-training/unpause', {}, ADMIN);
    assert.equal(((await unpaused.json()) as { paused: boolean }).paused, false);
    assert.equal((await post('/v1/schedules/weekly-training/unpause', {}, ADMIN)).status, 409);
    // Paused so that the triggered run is the only one; it starts whether or not a worker is there.
    await post('/v1/schedules/daily-ingest/pause', {}, ADMIN);
    try {
      const triggered = await post('/v1/schedules/daily-ingest/trigger', {}, ADMIN);
      assert.equal(triggered.status, 200);
      let runs = 0;
      for (let i = 0; i < 50 && runs === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        runs = (
          (await (await app.request('/v1/schedules')).json()) as { schedules: { id: string; recentRuns: unknown[] }[] }
        ).schedules.find((s) => s.id === 'daily-ingest')!.recentRuns.length;
      }
      assert.ok(runs >= 1, 'the triggered run shows among the recent runs');
    } finally {
      await post('/v1/schedules/daily-ingest/unpause', {}, ADMIN);
    }
    assert.equal((await post('/v1/schedules/nightly/trigger', {}, ADMIN)).status, 404);
  });

  it('takes keys made by `npm run keys`, and asks reads for one when API_READS_NEED_KEY is set', async () => {
    const keys = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/keys.ts', ...args], {
        cwd: ROOT,
        env: process.env,
      });
    const name = uniqueId('reader').replace(/-/g, '_');
    const reader = (await keys('create', '--name', name, '--role', 'read')).stdout.trim();
    assert.match(reader, /^rf_[\w-]{32}$/);
    const {
      rows: [stored],
    } = await deps.pool.query<{ sha256: string }>('SELECT sha256 FROM api_keys WHERE name = $1', [name]);
    assert.notEqual(stored!.sha256, reader, 'only the hash is kept');
    await assert.rejects(keys('create', '--name', name, '--role', 'read'), /exists already/);
    await assert.rejects(keys('create', '--name', 'x', '--role', 'root'), /--role: one of read, write, admin/);

    const guarded = createApiDeps(testConfig({ API_KEYS: `ops:admin:${ADMIN}`, API_READS_NEED_KEY: 'true' }));
    try {
      const guardedApp = createApp(guarded);
      const get = (url: string, key?: string) =>
        guardedApp.request(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
      assert.equal((await get('/v1/stores')).status, 401);
      assert.equal((await get('/v1/stores', reader)).status, 200);
      assert.equal((await get('/healthz')).status, 200, 'health stays open');
      const fc = await guardedApp.request('/v1/forecast', {
        method: 'POST',
        body: JSON.stringify([{ store_id: '1', product_name: PRODUCT }]),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(fc.status, 401);
      const retrain = await guardedApp.request(`/v1/models/1/${PRODUCT}/retrain`, {
        method: 'POST',
        headers: { authorization: `Bearer ${reader}` },
      });
      assert.equal(retrain.status, 403);
      await keys('revoke', '--name', name);
    } finally {
      await closeApiDeps(guarded);
    }
    // A new API process (no cached lookup) refuses the revoked key.
    const fresh = createApiDeps(testConfig({ API_READS_NEED_KEY: 'true' }));
    try {
      assert.equal(
        (await createApp(fresh).request('/v1/stores', { headers: { authorization: `Bearer ${reader}` } })).status,
        401,
      );
    } finally {
      await closeApiDeps(fresh);
    }
  });

  it("publishes a valid OpenAPI 3.1 document that lists exactly the API's routes", async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    await SwaggerParser.validate(structuredClone(doc) as never);
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const notApi = /^\/($|assets|docs|openapi\.json)/;
    const routed = [
      ...new Set(
        app.routes
          .filter((r) => r.method !== 'ALL' && !notApi.test(r.path))
          .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
      ),
    ].sort();
    assert.deepEqual(documented, routed);
    const docs = await app.request('/docs');
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger-ui-bundle\.js/);
    assert.equal((await app.request('/docs/assets/swagger-ui-bundle.js')).status, 200);
  });
});
