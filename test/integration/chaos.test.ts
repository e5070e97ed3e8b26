// Faults injected into a running stack: during a weekly training and a backfill, a worker is killed
// with SIGKILL, Postgres is killed with SIGKILL and restarted, the Temporal server is restarted, and
// the GCS emulator is down while a daily ingest exports. Every run must complete with reconciled
// counts and nothing duplicated; the API and the other worker must live through it, answering 503
// (never 500, never a hang) while a service is down. `npm run chaos` (bench/chaos.ts) runs each
// fault at full size with the same helpers (scripts/stack/faults.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { closeDeps, createDeps, type Deps } from '../../activities/deps.ts';
import { countSalesDay } from '../../platform/salesWarehouse.ts';
import { dailyIngestWorkflowId, type BackfillProgress } from '../../contracts/ingest.ts';
import { DEFAULT_TRAINING, type TrainingReport } from '../../contracts/training.ts';
import { datesBetween } from '../../domain/dates.ts';
import { connectClient } from '../../platform/temporal.ts';
import { generate } from '../../scripts/data/generate.ts';
import { importStores } from '../../platform/storeImport.ts';
import { importTrain } from '../../platform/salesImport.ts';
import {
  crashService,
  killNode,
  restartServices,
  startNode,
  stopService,
  whenActivity,
  type NodeProcess,
} from '../../scripts/stack/faults.ts';
import { stackDirs } from '../../scripts/stack/paths.ts';
import { dayOfEvents } from '../../scripts/data/saleEvents.ts';
import { freePort, testConfig } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';

// Stores 1-10 in 2011: no other test's stores or dates.
const STORES = 10;
const AS_OF = '2011-07-31';
const BACKFILL = { from: '2011-09-01', to: '2011-09-08' };
/** The day ingested while the GCS emulator is down. */
const GCS_DOWN_DAY = '2011-09-12';
const PRODUCTS = ['k1', 'k2'];

describe('faults during a weekly training and a backfill', () => {
  const cfg = testConfig();
  const dirs = stackDirs(cfg.stack.dataDir);
  const key = randomBytes(18).toString('hex');
  let env: NodeJS.ProcessEnv;
  let apiUrl: string;
  let deps: Deps;
  let client: Client;
  const procs: NodeProcess[] = [];
  /** Every status the API answered during the faults, per route. */
  const seen: Record<string, number[]> = {};

  const call = async (method: string, route: string, body?: unknown) => {
    // A hung route fails the test through this bound rather than hanging it.
    const res = await fetch(`${apiUrl}${route}`, {
      method,
      signal: AbortSignal.timeout(15_000),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    (seen[`${method} ${route.split('?')[0]}`] ??= []).push(res.status);
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as Record<string, unknown> & { error?: { dependency?: string } },
    };
  };

  before(async () => {
    env = { ...process.env, API_PORT: String(await freePort()), API_KEYS: `chaos:admin:${key}`, LOG_LEVEL: 'info' };
    apiUrl = `http://${cfg.api.host}:${env.API_PORT}`;
    deps = createDeps(cfg, 'retailflow-test');
    client = await connectClient(cfg.temporal);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-chaos-'));
    generate([
      '--out',
      dir,
      '--stores',
      String(STORES),
      '--products',
      '1',
      '--from',
      '2011-01-01',
      '--to',
      AS_OF,
      '--seed',
      '11',
    ]);
    await importStores(deps.pool, path.join(dir, 'store.csv'));
    await importTrain(deps, path.join(dir, 'train.csv'), { warehouse: false });
    await deps.pool.query(
      `UPDATE sales SET product = 'chaos' WHERE product = 'p01' AND date BETWEEN '2011-01-01' AND $1`,
      [AS_OF],
    );
    const events = [...datesBetween(BACKFILL.from, BACKFILL.to), GCS_DOWN_DAY].flatMap((d) => dayOfEvents(d, PRODUCTS));
    await deps.pool.query(
      `INSERT INTO sales_events (sale_date, payload, source) SELECT (p->>'date')::date, p, 'chaos' FROM unnest($1::jsonb[]) AS p`,
      [events.map((e) => JSON.stringify(e))],
    );
  });
  after(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await client.connection.close();
    await closeDeps(deps);
  });

  it('completes both runs exactly while the API and the surviving worker live on', async (t) => {
    const t0 = performance.now();
    const took = (what: string, since: number) =>
      t.diagnostic(`${what}: ${((performance.now() - since) / 1000).toFixed(1)} s`);
    const logFile = (name: string) => path.join(dirs.logs, `chaos-${name}.log`);
    const api = startNode('api/main.ts', { env, logFile: logFile('api') });
    const firstWorker = startNode('workers/main.ts', { env, logFile: logFile('worker-1') });
    procs.push(api, firstWorker);
    await until('the API answers', async () => ((await fetch(`${apiUrl}/healthz`)).ok ? true : undefined));

    const training = await call('POST', '/v1/training-runs', {
      asOf: AS_OF,
      products: ['chaos'],
      shardSize: 1,
      concurrency: 2,
    });
    assert.equal(training.status, 202, JSON.stringify(training.body));
    const backfill = await call('POST', '/v1/ingest/backfill', { ...BACKFILL, concurrency: 2 });
    assert.equal(backfill.status, 202, JSON.stringify(backfill.body));
    const trainingId = training.body.workflowId as string;

    // 1. The only worker is killed while it runs a shard: its activities are retried elsewhere once
    //    their heartbeats stop, so both runs stay open through the next faults.
    await whenActivity(
      client,
      [trainingId],
      (a) => a.type === 'trainShard' && a.started && a.workerPid === firstWorker.child.pid,
    );
    await killNode(firstWorker);
    const worker = startNode('workers/main.ts', { env, logFile: logFile('worker-2') });
    procs.push(worker);

    // 2. Postgres is killed: reads answer 503 naming it, then recover once it is back.
    await crashService(cfg, 'postgres');
    const postgresKilled = performance.now();
    const down = await until('a 503 while Postgres is down', async () => {
      const res = await call('GET', '/v1/stores');
      return res.status === 503 ? res : undefined;
    });
    assert.equal(down.body.error?.dependency, 'postgres');
    assert.equal(down.retryAfter, '5');
    const forecastDown = await call('POST', '/v1/forecast', [{ store_id: 1, product_name: 'chaos' }]);
    assert.equal(forecastDown.status, 503);
    await restartServices(cfg);
    await until('reads answered again', async () =>
      (await call('GET', '/v1/stores')).status === 200 ? true : undefined,
    );
    took('Postgres killed until the API answered reads again', postgresKilled);

    // 3. The Temporal server is stopped: starting a run answers 503 naming it, reads of run rows
    //    still answer from Postgres; then it comes back and everything reconnects.
    await stopService(cfg, 'temporal');
    const temporalStopped = performance.now();
    const startWhileDown = await call('POST', '/v1/ingest/runs', { date: BACKFILL.from });
    assert.equal(startWhileDown.status, 503, JSON.stringify(startWhileDown.body));
    assert.equal(startWhileDown.body.error?.dependency, 'temporal');
    for (const route of [
      `/v1/training-runs/${trainingId}`,
      `/v1/runs/${trainingId}`,
      `/v1/ingest/runs/${backfill.body.workflowId as string}`,
    ]) {
      const runRow = await call('GET', route);
      assert.equal(runRow.status, 200, `${route}: ${JSON.stringify(runRow.body)}`);
    }
    await restartServices(cfg);
    const temporalBack = performance.now();
    took('Temporal stopped until it was up again', temporalStopped);
    await until('the API reaches Temporal again', async () => {
      // The workers registered the schedules at start-up: listing them needs Temporal.
      const res = await call('GET', '/v1/schedules');
      if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
      return true;
    });
    took('Temporal up until the API reached it again', temporalBack);

    // 4. The GCS emulator is down while a day is ingested: its export fails, is retried, and lands
    //    once the emulator is back on the same data.
    await stopService(cfg, 'gcs');
    const gcsStopped = performance.now();
    const day = await call('POST', '/v1/ingest/runs', { date: GCS_DOWN_DAY });
    assert.equal(day.status, 202, JSON.stringify(day.body));
    const failed = await whenActivity(
      client,
      [dailyIngestWorkflowId(GCS_DOWN_DAY)],
      (a) => a.lastFailure !== undefined,
      {
        seconds: 60,
      },
    );
    await restartServices(cfg);
    took(`GCS down (${failed.type} failed: ${failed.lastFailure}) until it was up again`, gcsStopped);

    // Every run completes, exactly.
    for (const id of [trainingId, backfill.body.workflowId as string, dailyIngestWorkflowId(GCS_DOWN_DAY)]) {
      await until(
        `${id} to close`,
        async () => (await client.workflow.getHandle(id).describe()).status.name !== 'RUNNING',
        {
          seconds: 240,
          context: () =>
            `second worker alive: ${worker.alive()}; its last lines:\n${worker.output.slice(-10).join('\n')}`,
        },
      );
    }
    took('runs started until every run closed', t0);
    const report = (await client.workflow.getHandle(trainingId).result()) as TrainingReport;
    assert.equal(report.counts.series, STORES);
    assert.equal(report.counts.fitted + report.counts.unfit, STORES);
    const {
      rows: [saved],
    } = await deps.pool.query<{ versions: number; forecasts: number; distinct_forecasts: number; status: string }>(
      `SELECT (SELECT count(*)::int FROM model_versions WHERE training_run = $1) AS versions,
              (SELECT count(*)::int FROM forecast_results WHERE run_id = $1) AS forecasts,
              (SELECT count(DISTINCT (store_id, product, forecast_date))::int FROM forecast_results WHERE run_id = $1) AS distinct_forecasts,
              (SELECT status FROM training_runs WHERE run_id = $1) AS status`,
      [trainingId],
    );
    assert.deepEqual(saved, {
      versions: report.counts.fitted,
      forecasts: report.counts.fitted * DEFAULT_TRAINING.horizon,
      distinct_forecasts: report.counts.fitted * DEFAULT_TRAINING.horizon,
      status: 'done',
    });

    const progress = (await client.workflow.getHandle(backfill.body.workflowId as string).result()) as BackfillProgress;
    const backfillDays = datesBetween(BACKFILL.from, BACKFILL.to);
    assert.equal(progress.completed, backfillDays.length);
    assert.deepEqual(progress.failed, []);
    const perDay = dayOfEvents(BACKFILL.from, PRODUCTS).length;
    for (const day of [...backfillDays, GCS_DOWN_DAY]) {
      assert.deepEqual(await countSalesDay(deps, day), { postgres: perDay, gcs: perDay, bigquery: perDay }, day);
      const {
        rows: [run],
      } = await deps.pool.query<{ status: string }>(
        'SELECT status FROM ingest_runs WHERE sale_date = $1 AND kind = $2',
        [day, 'daily'],
      );
      assert.equal(run?.status, 'done', day);
    }

    // No process but the killed worker died, no answer was a 500, and each outage was logged briefly.
    assert.ok(api.alive(), `the API died:\n${api.output.slice(-20).join('\n')}`);
    assert.ok(worker.alive(), `the second worker died:\n${worker.output.slice(-20).join('\n')}`);
    const statuses = Object.values(seen).flat();
    assert.ok(!statuses.some((s) => s >= 500 && s !== 503), `answers: ${JSON.stringify(seen)}`);
    const apiOutageLines = api.output.filter((l) => /unavailable/.test(l));
    assert.ok(
      apiOutageLines.length >= 1 && apiOutageLines.length <= 6,
      `API outage log:\n${apiOutageLines.join('\n')}`,
    );
    assert.ok(!api.output.some((l) => /Unhandled|uncaught/i.test(l)), api.output.join('\n'));
  });
});
