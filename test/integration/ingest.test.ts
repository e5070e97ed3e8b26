import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { countSalesDay } from '../../platform/salesWarehouse.ts';
import { dailyIngestWorkflowId, type BackfillProgress, type IngestReport } from '../../contracts/ingest.ts';
import { addDays, todayUtc } from '../../domain/dates.ts';
import {
  DAILY_INGEST_SCHEDULE_ID,
  ensureSchedules,
  WEEKLY_BIGMART_SCHEDULE_ID,
  RECONCILE_RUNS_SCHEDULE_ID,
  WEEKLY_TRAINING_SCHEDULE_ID,
} from '../../platform/schedules.ts';
import { importStores } from '../../platform/storeImport.ts';
import { importTrain } from '../../platform/salesImport.ts';
import { testConfig } from '../helpers/stack.ts';
import { dayOfEvents, saleEvent } from '../../scripts/data/saleEvents.ts';
import { seedStores } from '../helpers/sales.ts';
import { withWorker } from '../../workers/inProcess.ts';

const WRITER = 'writer-key-for-ingest-tests';
const cfg = testConfig({ API_KEYS: `producer:write:${WRITER}` });

describe('daily ingest against the real stack', () => {
  let deps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  let client: Client;
  before(async () => {
    deps = createApiDeps(cfg);
    app = createApp(deps);
    client = deps.temporal;
    await seedStores(deps.pool);
  });
  after(() => closeApiDeps(deps));

  const send = async (events: unknown, contentType = 'application/json') => {
    const res = await app.request('/v1/sales/events', {
      method: 'POST',
      body: typeof events === 'string' ? events : JSON.stringify(events),
      headers: { authorization: `Bearer ${WRITER}`, 'content-type': contentType },
    });
    return {
      status: res.status,
      body: (await res.json()) as { accepted: number; rejected: { index: number; field: string; reason: string }[] },
    };
  };
  const ingest = (date: string) =>
    withWorker(cfg, cfg.temporal.taskQueues.ingest, async () => {
      const res = await app.request('/v1/ingest/runs', {
        method: 'POST',
        body: JSON.stringify({ date }),
        headers: { authorization: `Bearer ${WRITER}`, 'content-type': 'application/json' },
      });
      assert.equal(res.status, 202);
      const { workflowId } = (await res.json()) as { workflowId: string };
      assert.equal(workflowId, dailyIngestWorkflowId(date));
      return client.workflow.getHandle(workflowId).result() as Promise<IngestReport>;
    });
  const everywhere = (date: string) => countSalesDay(deps, date);

  it('lands a day of events in Postgres, GCS and BigQuery with equal counts', async () => {
    const date = '2026-01-15';
    const sent = await send(dayOfEvents(date));
    assert.deepEqual(sent, { status: 200, body: { accepted: 10, rejected: [] } });
    const report = await ingest(date);
    assert.deepEqual(report.counts, { staged: 10, accepted: 10, rejected: 0, postgres: 10, gcs: 10, bigquery: 10 });
    assert.deepEqual(await everywhere(date), { postgres: 10, gcs: 10, bigquery: 10 });
    const run = await app.request(`/v1/ingest/runs/${dailyIngestWorkflowId(date)}`);
    const body = (await run.json()) as { status: string; counts: Record<string, number> };
    assert.equal(body.status, 'done');
    assert.equal(body.counts.bigquery, 10);
  });

  it('reruns a date and backfills over loaded dates without duplicating anything', async () => {
    const date = '2026-01-15';
    const again = await ingest(date);
    assert.equal(again.counts.postgres, 10);
    await withWorker(cfg, cfg.temporal.taskQueues.ingest, async () => {
      const res = await app.request('/v1/ingest/backfill', {
        method: 'POST',
        body: JSON.stringify({ from: '2026-01-14', to: '2026-01-16', concurrency: 2 }),
        headers: { authorization: `Bearer ${WRITER}`, 'content-type': 'application/json' },
      });
      assert.equal(res.status, 202);
      const { workflowId, days } = (await res.json()) as { workflowId: string; days: number };
      assert.equal(days, 3);
      const progress = (await client.workflow.getHandle(workflowId).result()) as BackfillProgress;
      assert.deepEqual(progress, {
        from: '2026-01-14',
        to: '2026-01-16',
        total: 3,
        completed: 3,
        done: 3,
        failed: [],
        cancelled: [],
        alreadyRunning: [],
      });
    });
    assert.deepEqual(await everywhere(date), { postgres: 10, gcs: 10, bigquery: 10 });
    assert.deepEqual(await everywhere('2026-01-14'), { postgres: 0, gcs: 0, bigquery: 0 });
  });

  it('answers each bad event with its field and reason while the valid ones land', async () => {
    const date = '2026-01-20';
    const { status, body } = await send([
      saleEvent(1, date),
      saleEvent(2, date, { sales: -5 }),
      saleEvent(3, date, { open: 'yes' }),
      saleEvent(4, '2026-02-30'),
      saleEvent(5, '2999-01-01'),
      { ...saleEvent(1, date), extra: 1 },
    ]);
    assert.equal(status, 200);
    assert.equal(body.accepted, 1);
    assert.deepEqual(
      body.rejected.map((r) => [r.index, r.field]),
      [
        [1, 'sales'],
        [2, 'open'],
        [3, 'date'],
        [4, 'date'],
        [5, 'extra'],
      ],
    );
    const nd = await send(`${JSON.stringify(saleEvent(2, date))}\n{not json\n`, 'application/x-ndjson');
    assert.equal(nd.body.accepted, 1);
    assert.deepEqual(nd.body.rejected, [{ index: 1, field: '(line)', reason: 'line 2 is not valid JSON' }]);
  });

  it('rejects rows that break the rules with their reasons, lands the rest, and reconciles', async () => {
    const date = '2026-01-21';
    // Shape-valid events that only the workflow can judge, staged as another producer might.
    const events = [
      saleEvent(1, date),
      saleEvent(2, date),
      saleEvent(77, date), // unknown store
      saleEvent(3, date, { open: 0 }), // sales on a closed day
      saleEvent(4, date),
      saleEvent(4, date), // identical resend
      saleEvent(5, date),
      saleEvent(5, date, { sales: 9 }), // conflicting values
    ];
    const { rows } = await deps.pool.query<{ event_id: number }>(
      `INSERT INTO sales_events (sale_date, payload, source) SELECT $1, p, 'test' FROM unnest($2::jsonb[]) AS p RETURNING event_id`,
      [date, events.map((e) => JSON.stringify(e))],
    );
    const ids = rows.map((r) => r.event_id);
    const report = await ingest(date);
    assert.deepEqual(report.counts, { staged: 8, accepted: 3, rejected: 5, postgres: 3, gcs: 3, bigquery: 3 });
    const { rows: rejected } = await deps.pool.query<{ line: number; reason: string }>(
      'SELECT line, reason FROM rejected_rows WHERE source = $1 ORDER BY line',
      [`events:${date}`],
    );
    assert.deepEqual(
      rejected.map((r) => r.line),
      [ids[2], ids[3], ids[5], ids[6], ids[7]],
    );
    assert.match(rejected[0]!.reason, /unknown store 77/);
    assert.match(rejected[1]!.reason, /on a closed day/);
    assert.match(rejected[2]!.reason, new RegExp(`duplicate of event ${ids[4]}`));
    assert.match(rejected[3]!.reason, /conflicting values/);
    // A rerun records the same rejections once.
    await ingest(date);
    const { rows: again } = await deps.pool.query('SELECT 1 FROM rejected_rows WHERE source = $1', [`events:${date}`]);
    assert.equal(again.length, 5);
    // Once store 77 exists, a rerun lands its event and drops the rejection that no longer applies.
    await seedStores(deps.pool, [77]);
    const fixed = await ingest(date);
    assert.deepEqual(fixed.counts, { staged: 8, accepted: 4, rejected: 4, postgres: 4, gcs: 4, bigquery: 4 });
    const { rows: left } = await deps.pool.query<{ line: number }>(
      'SELECT line FROM rejected_rows WHERE source = $1 ORDER BY line',
      [`events:${date}`],
    );
    assert.deepEqual(
      left.map((r) => Number(r.line)),
      [ids[3], ids[5], ids[6], ids[7]],
    );
  });

  it('registers the daily, weekly and reconciling schedules once, however often start-up runs', async () => {
    await ensureSchedules(client, cfg);
    await ensureSchedules(client, cfg);
    const ids: string[] = [];
    for await (const s of client.schedule.list()) ids.push(s.scheduleId);
    assert.equal(ids.filter((id) => id === DAILY_INGEST_SCHEDULE_ID).length, 1);
    assert.equal(ids.filter((id) => id === WEEKLY_TRAINING_SCHEDULE_ID).length, 1);
    assert.equal(ids.filter((id) => id === RECONCILE_RUNS_SCHEDULE_ID).length, 1);
    const reconciling = await client.schedule.getHandle(RECONCILE_RUNS_SCHEDULE_ID).describe();
    assert.equal(reconciling.action.type === 'startWorkflow' && reconciling.action.workflowType, 'reconcileRuns');
    assert.equal(reconciling.spec.intervals?.[0]?.every, 3 * 60_000, 'every 3 minutes');
    const daily = await client.schedule.getHandle(DAILY_INGEST_SCHEDULE_ID).describe();
    assert.equal(daily.action.type, 'startWorkflow');
    assert.deepEqual(daily.spec.calendars?.[0]?.hour, [{ start: 0, end: 0, step: 1 }]);
    const weekly = await client.schedule.getHandle(WEEKLY_TRAINING_SCHEDULE_ID).describe();
    assert.equal(weekly.action.type === 'startWorkflow' && weekly.action.workflowType, 'scheduledWeeklyTraining');
    assert.deepEqual(
      [weekly.spec.calendars?.[0]?.dayOfWeek, weekly.spec.calendars?.[0]?.hour],
      [[{ start: 'SUNDAY', end: 'SUNDAY', step: 1 }], [{ start: 1, end: 1, step: 1 }]],
    );
  });

  it("registers bigmart's weekly training and scoring paused, and a later start-up leaves its switch as it is", async () => {
    await ensureSchedules(client, cfg);
    const ids: string[] = [];
    for await (const s of client.schedule.list()) ids.push(s.scheduleId);
    assert.equal(ids.filter((id) => id === WEEKLY_BIGMART_SCHEDULE_ID).length, 1);
    const handle = client.schedule.getHandle(WEEKLY_BIGMART_SCHEDULE_ID);
    const bigmart = await handle.describe();
    assert.equal(bigmart.state.paused, true);
    assert.equal(bigmart.action.type === 'startWorkflow' && bigmart.action.workflowType, 'scheduledTabularTraining');
    assert.deepEqual(
      [bigmart.spec.calendars?.[0]?.dayOfWeek, bigmart.spec.calendars?.[0]?.hour],
      [[{ start: 'MONDAY', end: 'MONDAY', step: 1 }], [{ start: 3, end: 3, step: 1 }]],
    );
    const args = bigmart.action.type === 'startWorkflow' ? bigmart.action.args : [];
    assert.deepEqual(args?.[0], {
      timeZone: cfg.ingestTimeZone,
      model: 'bigmart',
      train: { kind: 'csv', uri: `gs://${cfg.gcs.bucket}/bigmart/Train.csv` },
      score: { kind: 'csv', uri: `gs://${cfg.gcs.bucket}/bigmart/Test.csv` },
    });
    await handle.unpause();
    try {
      await ensureSchedules(client, cfg);
      assert.equal((await handle.describe()).state.paused, false);
    } finally {
      await handle.pause();
    }
  });

  it("a schedule tick ingests yesterday under the date's own workflow id", async () => {
    const yesterday = addDays(todayUtc(), -1);
    const schedule = client.schedule.getHandle(DAILY_INGEST_SCHEDULE_ID);
    const result = await withWorker(cfg, cfg.temporal.taskQueues.ingest, async () => {
      await schedule.trigger();
      for (let i = 0; i < 100; i++) {
        const started = (await schedule.describe()).info.recentActions.at(-1)?.action.workflow.workflowId;
        if (started) return client.workflow.getHandle(started).result() as Promise<IngestReport>;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the schedule started no workflow');
    });
    assert.equal(result.date, yesterday);
    assert.equal(result.runId, dailyIngestWorkflowId(yesterday));
  });
});

describe('bulk importer', () => {
  let deps: ApiDeps;
  before(() => {
    deps = createApiDeps(cfg);
  });
  after(() => closeApiDeps(deps));

  it('keeps every bad CSV line with its line number, loads the rest, and reruns without duplicates', async () => {
    const dir = os.tmpdir();
    const stores = path.join(dir, `stores-${process.pid}.csv`);
    const train = path.join(dir, `train-${process.pid}.csv`);
    await writeFile(
      stores,
      [
        'Store,StoreType,Assortment,CompetitionDistance,CompetitionOpenSinceMonth,CompetitionOpenSinceYear,Promo2,Promo2SinceWeek,Promo2SinceYear,PromoInterval',
        '11,c,a,1270,9,2008,0,,,',
        '12,a,a,570,11,2007,1,13,2010,"Jan,Apr,Jul,Oct"',
        '13,x,a,,,,0,,,',
      ].join('\n') + '\n',
    );
    await writeFile(
      train,
      [
        'Store,DayOfWeek,Date,Sales,Customers,Open,Promo,StateHoliday,SchoolHoliday',
        '11,5,2015-07-31,5263,555,1,1,0,1', // 2 ok
        '12,5,2015-07-31,6064,625,1,1,"0",1', // 3 ok ("0" quoted)
        '11,4,2015-07-30,5020,546,1,1,0,1,extra', // 4 too many fields
        '12,4,2015-07-30,abc,560,1,1,0,1', // 5 not a number
        '11,3,2015-07-29,"4782,525,1,1,0,1', // 6 unclosed quote
        '12,3,2015-07-29,4822,559,1,1,0,1', // 7 ok (after the malformed one)
        '99,3,2015-07-29,4822,559,1,1,0,1', // 8 unknown store
        '12,7,2015-07-26,0,0,0,0,a,0', // 9 ok (closed, holiday)
        '12,7,2015-07-26,0,0,0,0,a,0', // 10 duplicate line
      ].join('\n') + '\n',
    );
    const s = await importStores(deps.pool, stores);
    assert.deepEqual(
      { ...s, rejectedStores: [...s.rejectedStores] },
      { source: `import:${path.resolve(stores)}`, read: 3, loaded: 2, rejected: 1, rejectedStores: [[13, 4]] },
    );
    const first = await importTrain(deps, train, { warehouse: true });
    assert.equal(first.read, 9);
    assert.equal(first.loaded, 4);
    assert.equal(first.loaded + first.rejected, first.read, 'read = loaded + rejected');
    const { rows } = await deps.pool.query<{ line: number; reason: string }>(
      `SELECT line, reason FROM rejected_rows WHERE source = $1 ORDER BY line`,
      [`import:${path.resolve(train)}`],
    );
    const byLine = Object.fromEntries(rows.map((r) => [r.line, r.reason]));
    assert.match(byLine[4] ?? '', /wrong number of fields: 10, the header has 9/);
    assert.equal(byLine[5], 'Sales: must be a number, got "abc"');
    assert.equal(byLine[6], 'Sales: must be a number, got "\\"4782"', 'an unclosed quote spoils only its own line');
    assert.match(byLine[8] ?? '', /unknown store 99/);
    assert.match(byLine[10] ?? '', /duplicate of line 9/);
    const second = await importTrain(deps, train, { warehouse: true });
    assert.equal(second.loaded, first.loaded);
    assert.equal(second.upserted, second.loaded, 'every date exists now, so every row is upserted');
    for (const run of [first, second]) {
      const c = run.counts!;
      assert.ok(
        c.postgres >= run.loaded && c.postgres === c.gcs && c.postgres === c.bigquery,
        `counts reconcile: ${JSON.stringify(c)}`,
      );
    }
    const { rows: pg } = await deps.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sales WHERE store_id IN (11, 12)`,
    );
    assert.equal(pg[0]?.n, first.loaded, 'a rerun duplicates nothing');
  });

  it('imports a file of new and existing dates: new ones copied, existing ones upserted, all reconciled', async () => {
    const train = path.join(os.tmpdir(), `train-mixed-${process.pid}.csv`);
    await writeFile(
      train,
      [
        'Store,DayOfWeek,Date,Sales,Customers,Open,Promo,StateHoliday,SchoolHoliday',
        '11,5,2015-07-31,9999,700,1,1,0,1', // the date exists (previous test): upserted, new value
        '11,1,2014-03-03,100,10,1,0,0,0', // a new date: copied
        '12,1,2014-03-03,200,20,1,0,0,0',
      ].join('\n') + '\n',
    );
    const run = await importTrain(deps, train, { warehouse: true });
    assert.deepEqual(
      { loaded: run.loaded, upserted: run.upserted, rejected: run.rejected },
      { loaded: 3, upserted: 1, rejected: 0 },
    );
    const c = run.counts!;
    assert.ok(c.postgres === c.gcs && c.postgres === c.bigquery, `counts reconcile: ${JSON.stringify(c)}`);
    const bq = await deps.warehouse.query<{ date: { value: string } | string; sales: number }>(
      `SELECT date, sales FROM ${deps.warehouse.table('sales')} WHERE store_id = 11 AND date IN (DATE '2014-03-03', DATE '2015-07-31') ORDER BY date`,
    );
    assert.deepEqual(
      bq.map((r) => Number(r.sales)),
      [100, 9999],
      'BigQuery holds the new row and the updated one',
    );
  });
});
