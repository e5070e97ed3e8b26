// Every run ends in a final state, against the real stack: cancelling a backfill or a day through
// the API stops it (children cancelled, nothing more started, no continue-as-new), a failed day
// keeps its reason, the reconciler settles runs whose workflow was terminated or is gone, a day
// with nothing to ingest warns, and GET /v1/runs filters, pages and groups them.
// The worker is real; a test only holds or breaks the validation step of chosen dates, so a run is
// caught mid-flight at a known point instead of by timing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Context } from '@temporalio/activity';
import { ScheduleNotFoundError, WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import {
  backfillWorkflowId,
  dailyIngestWorkflowId,
  progressQuery,
  type BackfillProgress,
  type IngestReport,
} from '../../contracts/ingest.ts';
import { DEFAULT_TRAINING } from '../../contracts/training.ts';
import { datesBetween } from '../../domain/dates.ts';
import { RECONCILE_RUNS_SCHEDULE_ID } from '../../platform/schedules.ts';
import type { backfillIngest } from '../../workflows/backfillIngest.ts';
import type { reconcileRuns } from '../../workflows/reconcileRuns.ts';
import { dayOfEvents } from '../../scripts/data/saleEvents.ts';
import { seedStores } from '../helpers/sales.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';
import { withWorker } from '../../workers/inProcess.ts';

const WRITER = 'writer-key-for-run-tests';
const ADMIN = 'admin-key-for-run-tests';
const cfg = testConfig({ API_KEYS: `producer:write:${WRITER},planner:admin:${ADMIN}` });
const INGEST = cfg.temporal.taskQueues.ingest;

/** Dates whose validation waits until its run is cancelled or closed, and dates whose validation fails for good. */
const held = new Set<string>();
const broken = new Map<string, string>();
const ingestWorker = <T>(fn: () => Promise<T>) =>
  withWorker(cfg, INGEST, fn, (real) => ({
    validateAndUpsertSales: async (date: string) => {
      const reason = broken.get(date);
      if (reason) throw ApplicationFailure.nonRetryable(reason, 'StagingBroken');
      // Heartbeats carry the cancel to the activity; sleep() then throws it.
      while (held.has(date)) {
        Context.current().heartbeat();
        await Context.current().sleep(200);
      }
      return real.validateAndUpsertSales(date);
    },
  }));

interface Row {
  run_id: string;
  kind: string;
  status: string;
  error: string | null;
  warning: string | null;
  backfill_id: string | null;
  ended_at: Date | null;
  counts: Record<string, unknown>;
}
interface ApiRun {
  id: string;
  kind: string;
  status: string;
  running: boolean;
  warning: string | null;
  error: string | null;
  days?: Record<string, number>;
  store_id: number | null;
  product: string | null;
  backfill_id: string | null;
}

describe('runs end in a final state', () => {
  let deps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  let client: Client;
  // The stack's reconcile-runs Schedule (every 3 minutes, when another test has registered it)
  // would settle these tests' runs behind their back: paused while they run.
  let resumeReconcile = false;
  const reconcileSchedule = () => client.schedule.getHandle(RECONCILE_RUNS_SCHEDULE_ID);
  before(async () => {
    deps = createApiDeps(cfg);
    app = createApp(deps);
    client = deps.temporal;
    await seedStores(deps.pool);
    const schedule = await reconcileSchedule()
      .describe()
      .catch((e: unknown) => {
        if (e instanceof ScheduleNotFoundError) return undefined;
        throw e;
      });
    if (schedule && !schedule.state.paused) {
      await reconcileSchedule().pause('runs.test.ts settles its own runs');
      resumeReconcile = true;
    }
  });
  after(async () => {
    if (resumeReconcile) await reconcileSchedule().unpause();
    await closeApiDeps(deps);
  });

  const call = async (method: string, path: string, body?: unknown, key = WRITER) => {
    const res = await app.request(path, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const rows = async (ids: string[]) => {
    const { rows: found } = await deps.pool.query<Row>('SELECT * FROM ingest_runs WHERE run_id = ANY($1)', [ids]);
    return new Map(found.map((r) => [r.run_id, r]));
  };
  const dayRow = async (date: string) => (await rows([dailyIngestWorkflowId(date)])).get(dailyIngestWorkflowId(date));
  // Held in validation: the run row says 'starting' (stages in between are live progress only).
  const validating = (dates: string[]) =>
    until(`${dates.join(', ')} are validating`, async () => {
      const stages = await Promise.all(
        dates.map((d) =>
          client.workflow
            .getHandle(dailyIngestWorkflowId(d))
            .query(progressQuery)
            .then(
              (p) => p.stage,
              () => undefined,
            ),
        ),
      );
      return stages.every((s) => s === 'validating');
    });
  const reconcile = () =>
    client.workflow.execute<typeof reconcileRuns>('reconcileRuns', {
      taskQueue: INGEST,
      workflowId: uniqueId('reconcile-runs'),
    });

  it('cancels a backfill through the API: days in flight cancelled, none started after, no continue-as-new, the rest recorded cancelled', async () => {
    const [from, to] = ['2025-05-01', '2025-05-06'];
    const dates = datesBetween(from, to);
    const [d1, d2, d3, d4, d5, d6] = dates as [string, string, string, string, string, string];
    held.add(d3).add(d4);
    const backfillId = backfillWorkflowId(from, to);
    await ingestWorker(async () => {
      // Two days per run: the first run ingests d1 and d2 and continues as new; the second holds d3 and d4.
      const handle = await client.workflow.start<typeof backfillIngest>('backfillIngest', {
        workflowId: backfillId,
        taskQueue: INGEST,
        args: [{ from, to, concurrency: 2, daysPerRun: 2 }],
      });
      await validating([d3, d4]);
      const running = await call('GET', `/v1/runs/${backfillId}`);
      assert.equal(running.body.running, true);
      assert.equal((running.body.progress as BackfillProgress).done, 2, 'progress is carried across continue-as-new');

      const res = await call('POST', `/v1/ingest/runs/${backfillId}/cancel`);
      assert.deepEqual(res, { status: 202, body: { runId: backfillId, cancelling: true } });
      await assert.rejects(
        handle.result(),
        (err) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure,
      );
      const closed = await handle.describe();
      assert.equal(closed.status.name, 'CANCELLED', 'the last run ended cancelled: it did not continue as new');
      assert.notEqual(closed.runId, handle.firstExecutionRunId, 'the first run had continued as new before the cancel');
    });
    held.clear();

    const found = await rows([backfillId, ...dates.map(dailyIngestWorkflowId)]);
    const backfill = found.get(backfillId)!;
    assert.equal(backfill.kind, 'backfill');
    assert.equal(backfill.status, 'cancelled');
    assert.ok(backfill.ended_at);
    assert.match(backfill.error ?? '', /4 of 6 days did not run/);
    assert.deepEqual(backfill.counts, {
      from,
      to,
      total: 6,
      completed: 6,
      done: 2,
      failed: [],
      cancelled: [d3, d4, d5, d6],
      alreadyRunning: [],
    });
    for (const d of [d1, d2])
      assert.deepEqual(
        [found.get(dailyIngestWorkflowId(d))?.status, found.get(dailyIngestWorkflowId(d))?.backfill_id],
        ['done', backfillId],
      );
    for (const d of [d3, d4]) {
      const day = found.get(dailyIngestWorkflowId(d))!;
      assert.equal(day.status, 'cancelled', `the day in flight (${d}) was cancelled and recorded so`);
      assert.ok(day.ended_at);
    }
    for (const d of [d5, d6]) {
      assert.equal(found.has(dailyIngestWorkflowId(d)), false, `${d} has no run row`);
      await assert.rejects(
        client.workflow.getHandle(dailyIngestWorkflowId(d)).describe(),
        WorkflowNotFoundError,
        `no workflow was started for ${d}`,
      );
    }
    const listed = await call('GET', '/v1/runs?kind=backfill&limit=500');
    const card = (listed.body.runs as ApiRun[]).find((r) => r.id === backfillId)!;
    assert.deepEqual(
      [card.status, card.running, card.days],
      ['cancelled', false, { done: 2, cancelled: 2, warning: 2 }],
    );
  });

  it('cancels a backfill started a moment ago, before it has written its row: no day starts', async () => {
    const [from, to] = ['2025-09-01', '2025-09-03'];
    const backfillId = backfillWorkflowId(from, to);
    // No worker polls yet: the backfill has not run a step.
    const handle = await client.workflow.start<typeof backfillIngest>('backfillIngest', {
      workflowId: backfillId,
      taskQueue: INGEST,
      args: [{ from, to, concurrency: 2 }],
    });
    assert.equal((await rows([backfillId])).size, 0);
    assert.equal((await call('POST', `/v1/ingest/runs/${backfillId}/cancel`)).status, 202);
    await ingestWorker(() =>
      assert.rejects(
        handle.result(),
        (err) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure,
      ),
    );
    const backfill = (await rows([backfillId])).get(backfillId)!;
    assert.equal(backfill.status, 'cancelled');
    assert.deepEqual(backfill.counts.cancelled, datesBetween(from, to));
    for (const d of datesBetween(from, to)) {
      await assert.rejects(
        client.workflow.getHandle(dailyIngestWorkflowId(d)).describe(),
        WorkflowNotFoundError,
        `no workflow was started for ${d}`,
      );
    }
  });

  it('a failed day keeps its reason in the backfill and in its own run; a day that lands nothing warns', async () => {
    const [from, to] = ['2025-06-01', '2025-06-03'];
    broken.set('2025-06-02', 'the staging table is unreadable for 2025-06-02');
    const staged = await call('POST', '/v1/sales/events', dayOfEvents('2025-06-01'));
    assert.equal(staged.status, 200);
    const progress = await ingestWorker(async () => {
      const res = await call('POST', '/v1/ingest/backfill', { from, to, concurrency: 3 });
      assert.equal(res.status, 202);
      return client.workflow.getHandle(res.body.workflowId as string).result() as Promise<BackfillProgress>;
    });
    broken.clear();
    assert.deepEqual(progress.failed, [
      { date: '2025-06-02', reason: 'the staging table is unreadable for 2025-06-02' },
    ]);
    assert.equal(progress.done, 2);
    const backfillId = backfillWorkflowId(from, to);
    const found = await rows([backfillId, ...datesBetween(from, to).map(dailyIngestWorkflowId)]);
    assert.deepEqual([found.get(backfillId)?.status, found.get(backfillId)?.error], ['failed', '1 of 3 days failed']);
    assert.deepEqual(
      [found.get(dailyIngestWorkflowId('2025-06-02'))?.status, found.get(dailyIngestWorkflowId('2025-06-02'))?.error],
      ['failed', 'the staging table is unreadable for 2025-06-02'],
    );
    assert.equal(found.get(dailyIngestWorkflowId('2025-06-01'))?.warning, null, 'a day with sales is no warning');
    assert.match(found.get(dailyIngestWorkflowId('2025-06-03'))?.warning ?? '', /no sales events were staged/);

    const days = await call('GET', `/v1/runs?backfill=${backfillId}`);
    assert.deepEqual(
      (days.body.runs as ApiRun[]).map((r) => r.id).sort(),
      datesBetween(from, to).map(dailyIngestWorkflowId),
    );
    const card = (await call('GET', `/v1/runs/${backfillId}`)).body as unknown as ApiRun;
    assert.deepEqual(card.days, { done: 2, failed: 1, warning: 1 });
    const top = (await call('GET', '/v1/runs?kind=daily&limit=500')).body.runs as ApiRun[];
    assert.equal(
      top.some((r) => r.backfill_id === backfillId),
      false,
      "a backfill's days are listed under it, not among the rest",
    );
  });

  it('flags a day ingested with zero events as a warning in its report, its row and the API', async () => {
    const date = '2025-07-01';
    const report = await ingestWorker(async () => {
      const res = await call('POST', '/v1/ingest/runs', { date });
      return client.workflow.getHandle(res.body.workflowId as string).result() as Promise<IngestReport>;
    });
    assert.match(report.warning ?? '', /no sales events were staged for this day/);
    const run = (await call('GET', `/v1/runs/${dailyIngestWorkflowId(date)}`)).body as unknown as ApiRun;
    assert.deepEqual([run.status, run.running, run.warning], ['done', false, report.warning]);
    const warned = (await call('GET', '/v1/runs?status=warning&limit=500')).body.runs as ApiRun[];
    assert.ok(warned.some((r) => r.id === dailyIngestWorkflowId(date)));
    assert.ok(warned.every((r) => r.warning));
  });

  it('cancels one day through the API; answers 404 for an unknown run and 409 for one that has ended', async () => {
    const date = '2025-07-10';
    held.add(date);
    const id = dailyIngestWorkflowId(date);
    await ingestWorker(async () => {
      assert.equal((await call('POST', '/v1/ingest/runs', { date })).status, 202);
      await validating([date]);
      assert.equal((await call('POST', `/v1/ingest/runs/${id}/cancel`, undefined, '')).status, 401);
      assert.equal((await call('POST', `/v1/ingest/runs/${id}/cancel`)).status, 202);
      await assert.rejects(
        client.workflow.getHandle(id).result(),
        (err) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure,
      );
    });
    held.clear();
    const row = (await dayRow(date))!;
    assert.deepEqual([row.status, row.error, Boolean(row.ended_at)], ['cancelled', 'cancelled', true]);
    const again = await call('POST', `/v1/ingest/runs/${id}/cancel`);
    assert.equal(again.status, 409);
    assert.match((again.body.error as { message: string }).message, /has ended already \(cancelled\)/);
    const unknown = await call('POST', '/v1/ingest/runs/daily-ingest-1999-01-01/cancel');
    assert.equal(unknown.status, 404);
  });

  it('settles the runs of a terminated backfill, a vanished workflow and a terminated training with their real end, once', async () => {
    const [from, to] = ['2025-08-01', '2025-08-04'];
    const [d1, d2] = ['2025-08-01', '2025-08-02'];
    held.add(d1).add(d2);
    const backfillId = backfillWorkflowId(from, to);
    // A training run that recorded its start and then was terminated, and one whose workflow is gone.
    const training = uniqueId('training-terminated');
    const vanished = uniqueId('training-vanished');
    await client.workflow.start('weeklyTraining', {
      workflowId: training,
      taskQueue: uniqueId('nobody-polls'),
      args: [{ ...DEFAULT_TRAINING, asOf: '2013-01-01' }],
    });
    await deps.pool.query(
      `INSERT INTO training_runs (run_id, status, as_of, engine) VALUES ($1, 'running', '2013-01-01', 'fast'), ($2, 'running', '2013-01-01', 'fast')`,
      [training, vanished],
    );
    await client.workflow.getHandle(training).terminate('stopped by hand');

    const report = await ingestWorker(async () => {
      assert.equal((await call('POST', '/v1/ingest/backfill', { from, to, concurrency: 2 })).status, 202);
      await validating([d1, d2]);
      await client.workflow.getHandle(backfillId).terminate('stopped by hand');
      // Its children are terminated with it (the parent close policy), a moment later.
      await until('the days are terminated', async () => {
        const states = await Promise.all(
          [d1, d2].map((d) => client.workflow.getHandle(dailyIngestWorkflowId(d)).describe()),
        );
        return states.every((s) => s.status.name === 'TERMINATED');
      });
      const before = await rows([backfillId, dailyIngestWorkflowId(d1), dailyIngestWorkflowId(d2)]);
      assert.deepEqual(
        [...before.values()].map((r) => r.ended_at),
        [null, null, null],
        'nothing recorded their end',
      );
      return reconcile();
    });
    held.clear();

    const settled = new Map(report.settled.map((s) => [s.runId, s]));
    for (const id of [backfillId, dailyIngestWorkflowId(d1), dailyIngestWorkflowId(d2), training]) {
      assert.equal(settled.get(id)?.status, 'terminated', `${id} settled as terminated`);
    }
    assert.equal(settled.get(vanished)?.status, 'failed');
    const after = await rows([backfillId, dailyIngestWorkflowId(d1), dailyIngestWorkflowId(d2)]);
    for (const [id, r] of after) {
      assert.equal(r.status, 'terminated');
      assert.ok(r.ended_at);
      // With why: the backfill's reason, and its days' parent close policy.
      const why = id === backfillId ? 'stopped by hand' : 'by parent close policy';
      assert.match(r.error ?? '', new RegExp(`closed as TERMINATED \\(${why}\\) without recording the end`));
    }
    const { rows: trainingRows } = await deps.pool.query<{
      run_id: string;
      status: string;
      error: string;
      ended_at: Date | null;
    }>('SELECT run_id, status, error, ended_at FROM training_runs WHERE run_id = ANY($1) ORDER BY run_id', [
      [training, vanished],
    ]);
    assert.deepEqual(
      trainingRows.map((r) => [r.run_id, r.status, Boolean(r.ended_at)]),
      [
        [training, 'terminated', true],
        [vanished, 'failed', true],
      ],
    );
    assert.match(trainingRows.find((r) => r.run_id === vanished)!.error, /no longer exists in Temporal/);
    const cancelEnded = await call('POST', `/v1/training-runs/${training}/cancel`, undefined, ADMIN);
    assert.equal(cancelEnded.status, 409);
    assert.match((cancelEnded.body.error as { message: string }).message, /has ended already \(terminated\)/);

    // A second pass finds nothing of these left to settle.
    const again = await withWorker(cfg, INGEST, () => reconcile());
    assert.equal(again.settled.filter((s) => settled.has(s.runId)).length, 0);
  });

  it('never shows a closed run as running: reading a run whose workflow was terminated settles it, and it cannot be cancelled', async () => {
    const date = '2025-08-20';
    held.add(date);
    const id = dailyIngestWorkflowId(date);
    await ingestWorker(async () => {
      await call('POST', '/v1/ingest/runs', { date });
      await validating([date]);
      await client.workflow.getHandle(id).terminate('stopped by hand');
    });
    held.clear();
    assert.equal((await dayRow(date))?.ended_at, null);
    const run = (await call('GET', `/v1/runs/${id}`)).body as unknown as ApiRun;
    assert.deepEqual([run.status, run.running], ['terminated', false]);
    assert.equal((await dayRow(date))?.status, 'terminated');
    const cancel = await call('POST', `/v1/ingest/runs/${id}/cancel`);
    assert.equal(cancel.status, 409);
    assert.match((cancel.body.error as { message: string }).message, /has ended already \(terminated\)/);
  });

  it('records each retrain as a run, shown with the other runs', async () => {
    const product = uniqueId('no-sales').replaceAll('-', '_');
    const started = await withWorker(cfg, cfg.temporal.taskQueues.interactive, async () => {
      const res = await call('POST', `/v1/models/1/${product}/retrain`, {}, ADMIN);
      assert.equal(res.status, 202);
      await client.workflow.getHandle(res.body.workflowId as string).result();
      return res.body as { workflowId: string; runId: string };
    });
    const retrains = (await call('GET', '/v1/runs?kind=retrain&limit=500')).body.runs as ApiRun[];
    const run = retrains.find((r) => r.product === product);
    assert.ok(run, 'the retrain is listed');
    assert.equal(run.id, `${started.workflowId}-${started.runId}`);
    assert.deepEqual([run.kind, run.store_id, run.status, run.running], ['retrain', 1, 'failed', false]);
    assert.match(run.error ?? '', /no sales for store 1/);
    // Shown alone too, as documented: it failed before it knew a last day, so its as-of date is null
    // (schemathesis found the document promising a string).
    const shown = await call('GET', `/v1/training-runs/${run.id}`);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.as_of, null);
    const doc = (await call('GET', '/openapi.json')).body as {
      components: { schemas: { TrainingRun: { properties: { as_of: { type: string[] } } } } };
    };
    assert.deepEqual(doc.components.schemas.TrainingRun.properties.as_of.type, ['string', 'null']);
  });

  it('lists runs a page at a time by a cursor, filtered by kind and status, and names a bad filter', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `/v1/runs?kind=daily&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      const runs = page.body.runs as (ApiRun & { started_at: string })[];
      assert.ok(runs.length <= 2);
      assert.ok(runs.every((r) => r.kind === 'daily' && r.backfill_id === null));
      seen.push(...runs.map((r) => r.id));
      cursor = page.body.next as string | undefined;
    } while (cursor);
    const all = (await call('GET', '/v1/runs?kind=daily&limit=500')).body.runs as ApiRun[];
    assert.ok(all.length >= 3);
    assert.deepEqual(
      seen,
      all.map((r) => r.id),
      'the pages together are the whole list, in order, once each',
    );
    const cancelled = (await call('GET', '/v1/runs?status=cancelled&limit=500')).body.runs as ApiRun[];
    assert.ok(cancelled.length >= 1 && cancelled.every((r) => r.status === 'cancelled' && !r.running));

    const badKind = await call('GET', '/v1/runs?kind=weekly');
    assert.equal(badKind.status, 400);
    assert.equal((badKind.body.error as { field: string }).field, 'kind');
    const badCursor = await call('GET', '/v1/runs?cursor=nonsense');
    assert.equal(badCursor.status, 400);
    assert.match((badCursor.body.error as { message: string }).message, /^cursor: must be a cursor/);
  });
});
