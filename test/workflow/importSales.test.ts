import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  importProgressQuery,
  type ChunkStart,
  type ChunkSummary,
  type ImportProgress,
  type SalesImportPlan,
} from '../../contracts/imports.ts';
import { importSales } from '../../workflows/index.ts';
import { until } from '../helpers/until.ts';
import { startTestTemporal, withWorker, type Activities } from './env.ts';

const TRAIN = 'gs://bucket/imports/x/train.csv';
const STORES = 'gs://bucket/imports/x/store.csv';
const HEADER = ['Store', 'DayOfWeek', 'Date', 'Sales', 'Customers', 'Open', 'Promo', 'StateHoliday', 'SchoolHoliday'];

/** A chunk of 100 lines read, 99 loaded and 1 rejected, ending 1,000 bytes after it started; the third is the last. */
const chunkAfter = (start: ChunkStart): ChunkSummary => ({
  chunk: start.chunk,
  end: { offset: start.offset + 1_000, line: start.line + 100 },
  header: HEADER,
  done: start.chunk === 2,
  read: 100,
  loaded: 99,
  upserted: 0,
  rejected: 1,
  rejectedWithStore: 0,
  skipped: 0,
  minDate: '2010-01-01',
  maxDate: '2010-01-31',
  streamed: [{ month: '2010-01', object: `o${start.chunk}`, rows: 99 }],
  exportMonths: [],
  ms: { parseAndCopy: 1, upsert: 0 },
});

function mocks(chunk: (start: ChunkStart) => Promise<ChunkSummary>) {
  const starts: ChunkStart[] = [];
  const plans: SalesImportPlan[] = [];
  let finished: ChunkSummary[] | undefined;
  let begun: Parameters<Activities['beginSalesImport']>[0] | undefined;
  const activities: Partial<Activities> = {
    importStoresObject: (uri) =>
      Promise.resolve({ source: `import:${uri}`, read: 3, loaded: 2, rejected: 1, rejectedStores: [[13, 4]] }),
    beginSalesImport: (input) => {
      begun = input;
      const plan: SalesImportPlan = {
        importId: input.importId,
        ingestedAt: input.ingestedAt,
        latestDate: input.latestDate,
        dirtyMonths: [],
        rejectedStores: input.rejectedStores,
        chunkLines: input.chunkLines,
        warehouse: input.warehouse,
      };
      return Promise.resolve({ plan, bytes: 3_000 });
    },
    importSalesChunk: (_uri, plan, start) => {
      starts.push(start);
      plans.push(plan);
      return chunk(start);
    },
    finishSalesImport: (_uri, _plan, chunks) => {
      finished = chunks;
      return Promise.resolve({ months: 1, counts: { postgres: 297, gcs: 297, bigquery: 297 } });
    },
  };
  return { activities, starts, plans, finished: () => finished, begun: () => begun };
}

describe('importSales (mocked activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('runs the chunks one after another, each from where the last ended, and answers progress between them', async () => {
    const held = new Map<number, () => void>();
    const m = mocks((start) => new Promise((resolve) => held.set(start.chunk, () => resolve(chunkAfter(start)))));
    const result = await withWorker(env, m.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(importSales, {
        taskQueue,
        workflowId: 'import-sales-loop',
        args: [{ storesUri: STORES, trainUri: TRAIN, chunkLines: 100 }],
      });
      await until('chunk 0 running', () => held.has(0));
      assert.deepEqual(await handle.query(importProgressQuery), {
        stage: 'sales',
        read: 0,
        loaded: 0,
        rejected: 0,
        chunksDone: 0,
        bytesDone: 0,
        bytesTotal: 3_000,
      } satisfies ImportProgress);
      held.get(0)!();
      await until('chunk 1 running', () => held.has(1));
      assert.deepEqual(await handle.query(importProgressQuery), {
        stage: 'sales',
        read: 100,
        loaded: 99,
        rejected: 1,
        chunksDone: 1,
        bytesDone: 1_000,
        bytesTotal: 3_000,
      } satisfies ImportProgress);
      held.get(1)!();
      await until('chunk 2 running', () => held.has(2));
      held.get(2)!();
      return handle.result();
    });
    assert.deepEqual(m.starts, [
      { chunk: 0, offset: 0, line: 0 },
      { chunk: 1, offset: 1_000, line: 100, header: HEADER },
      { chunk: 2, offset: 2_000, line: 200, header: HEADER },
    ]);
    // One plan for all chunks: one ingested_at, the stores file's rejected stores, the chunk size asked for.
    assert.equal(new Set(m.plans.map((p) => JSON.stringify(p))).size, 1);
    assert.deepEqual(m.begun()?.rejectedStores, [[13, 4]]);
    assert.equal(m.begun()?.chunkLines, 100);
    assert.equal(m.begun()?.importId, 'import-sales-loop');
    assert.deepEqual(
      m.finished()?.map((c) => c.chunk),
      [0, 1, 2],
    );
    assert.deepEqual(result, {
      importId: 'import-sales-loop',
      stores: { source: `import:${STORES}`, read: 3, loaded: 2, rejected: 1, rejectedStores: [[13, 4]] },
      sales: {
        source: `import:${TRAIN}`,
        chunks: 3,
        read: 300,
        loaded: 297,
        upserted: 0,
        rejected: 3,
        rejectedWithStore: 0,
        skipped: 0,
        months: 1,
        counts: { postgres: 297, gcs: 297, bigquery: 297 },
      },
      rejectedRows: [
        `SELECT * FROM rejected_rows WHERE source = 'import:${STORES}' ORDER BY line`,
        `SELECT * FROM rejected_rows WHERE source = 'import:${TRAIN}' ORDER BY line`,
      ],
    });
  });

  it('retries a failed chunk from the same start', async () => {
    let failures = 0;
    const m = mocks((start) => {
      if (start.chunk === 1 && failures++ === 0)
        return Promise.reject(new Error('worker lost its database connection'));
      return Promise.resolve(chunkAfter(start));
    });
    const result = await withWorker(env, m.activities, (taskQueue) =>
      env.client.workflow.execute(importSales, {
        taskQueue,
        workflowId: 'import-sales-retry',
        args: [{ trainUri: TRAIN }],
      }),
    );
    assert.deepEqual(
      m.starts.map((s) => [s.chunk, s.offset]),
      [
        [0, 0],
        [1, 1_000],
        [1, 1_000],
        [2, 2_000],
      ],
    );
    assert.equal(result.sales?.read, 300);
    assert.equal(result.stores, undefined);
  });

  for (const [name, input, message] of [
    ['neither file', {}, 'trainUri: give trainUri, storesUri, calendarUri or several'],
    [
      'a path instead of a gs:// URI',
      { trainUri: '/tmp/train.csv' },
      'trainUri: must be gs://<bucket>/<object>, got "/tmp/train.csv"',
    ],
    [
      'a chunk of one line',
      { trainUri: TRAIN, chunkLines: 1 },
      'chunkLines: must be a whole number from 2 to 5000000, got 1',
    ],
  ] as const) {
    it(`fails at once, naming the field, given ${name}`, async () => {
      const m = mocks((start) => Promise.resolve(chunkAfter(start)));
      const err = await withWorker(env, m.activities, (taskQueue) =>
        env.client.workflow
          .execute(importSales, { taskQueue, workflowId: `import-sales-bad-${name.length}`, args: [input] })
          .then(
            () => undefined,
            (e: unknown) => e,
          ),
      );
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.message, message);
      assert.equal(m.starts.length, 0);
    });
  }
});
