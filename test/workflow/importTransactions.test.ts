import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  transactionImportProgressQuery,
  type ImportTransactionsInput,
  type TransactionChunkStart,
  type TransactionChunkSummary,
  type TransactionFile,
  type TransactionFileSummary,
  type TransactionImportProgress,
} from '../../contracts/transactionImports.ts';
import { importTransactions } from '../../workflows/index.ts';
import { until } from '../helpers/until.ts';
import { startTestTemporal, withWorker, type Activities } from './env.ts';

const UCI = 'gs://bucket/imports/x/online_retail.csv';
const DAY = 'gs://bucket/imports/x/2010-12-01.csv';
const HEADER = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
  'Country',
];

/** A chunk of 100 lines read, 99 loaded and 1 rejected, ending 1,000 bytes after it started; the UCI file has 3, a daily file 1. */
const chunkAfter = (file: TransactionFile, start: TransactionChunkStart): TransactionChunkSummary => ({
  chunk: start.chunk,
  end: { offset: start.offset + 1_000, line: start.line + 100 },
  header: HEADER,
  done: file.uri !== UCI || start.chunk === 2,
  read: 100,
  loaded: 99,
  written: 98,
  rejected: 1,
});

function mocks(chunk: (file: TransactionFile, start: TransactionChunkStart) => Promise<TransactionChunkSummary>) {
  const calls: [string, string, number, TransactionChunkStart][] = [];
  let reconciled: TransactionFileSummary[] | undefined;
  const activities: Partial<Activities> = {
    measureTransactionFiles: (uris) => Promise.resolve(uris.map((u) => (u === UCI ? 3_000 : 1_000))),
    importTransactionChunk: (file, chunkLines, start) => {
      calls.push([file.uri, file.source, chunkLines, start]);
      return chunk(file, start);
    },
    reconcileTransactionImport: (files) => {
      reconciled = files;
      return Promise.resolve();
    },
  };
  return { activities, calls, reconciled: () => reconciled };
}

describe('importTransactions (mocked activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('runs each file chunk after chunk from where the last ended, answers progress between them, reconciles, sums up', async () => {
    const held = new Map<number, () => void>();
    const m = mocks((file, start) =>
      file.uri === UCI
        ? new Promise((resolve) => held.set(start.chunk, () => resolve(chunkAfter(file, start))))
        : Promise.resolve(chunkAfter(file, start)),
    );
    const result = await withWorker(env, m.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(importTransactions, {
        taskQueue,
        workflowId: 'import-transactions-loop',
        args: [
          {
            uris: [UCI, DAY],
            sources: ['import:/data/online_retail.csv', 'import:/data/2010-12-01.csv'],
            chunkLines: 100,
          },
        ],
      });
      // The daily file goes on beside the UCI file's first chunk.
      await until('the daily file done, UCI chunk 0 running', async () => {
        const p = await handle.query(transactionImportProgressQuery);
        return held.has(0) && p.filesDone === 1;
      });
      assert.deepEqual(await handle.query(transactionImportProgressQuery), {
        stage: 'importing',
        files: 2,
        filesDone: 1,
        chunksDone: 1,
        read: 100,
        loaded: 99,
        rejected: 1,
        bytesDone: 1_000,
        bytesTotal: 4_000,
      } satisfies TransactionImportProgress);
      held.get(0)!();
      await until('chunk 1 running', () => held.has(1));
      assert.equal((await handle.query(transactionImportProgressQuery)).bytesDone, 2_000);
      held.get(1)!();
      await until('chunk 2 running', () => held.has(2));
      held.get(2)!();
      return handle.result();
    });
    assert.deepEqual(
      m.calls.filter(([uri]) => uri === UCI).map(([, source, lines, start]) => [source, lines, start]),
      [
        ['import:/data/online_retail.csv', 100, { chunk: 0, offset: 0, line: 0 }],
        ['import:/data/online_retail.csv', 100, { chunk: 1, offset: 1_000, line: 100, header: HEADER }],
        ['import:/data/online_retail.csv', 100, { chunk: 2, offset: 2_000, line: 200, header: HEADER }],
      ],
    );
    const files: TransactionFileSummary[] = [
      {
        uri: UCI,
        source: 'import:/data/online_retail.csv',
        bytes: 3_000,
        chunks: 3,
        read: 300,
        loaded: 297,
        written: 294,
        rejected: 3,
      },
      {
        uri: DAY,
        source: 'import:/data/2010-12-01.csv',
        bytes: 1_000,
        chunks: 1,
        read: 100,
        loaded: 99,
        written: 98,
        rejected: 1,
      },
    ];
    assert.deepEqual(m.reconciled(), files);
    assert.deepEqual(result, {
      importId: 'import-transactions-loop',
      read: 400,
      loaded: 396,
      written: 392,
      rejected: 4,
      files,
      rejectedRows:
        "SELECT * FROM rejected_rows WHERE source IN ('import:/data/online_retail.csv', 'import:/data/2010-12-01.csv') ORDER BY source, line",
    });
  });

  it('names each file import:<uri> by default, and retries a failed chunk from the same start', async () => {
    let failures = 0;
    const m = mocks((file, start) => {
      if (start.chunk === 1 && failures++ === 0)
        return Promise.reject(new Error('worker lost its database connection'));
      return Promise.resolve(chunkAfter(file, start));
    });
    const result = await withWorker(env, m.activities, (taskQueue) =>
      env.client.workflow.execute(importTransactions, {
        taskQueue,
        workflowId: 'import-transactions-retry',
        args: [{ uris: [UCI] }],
      }),
    );
    assert.deepEqual(
      m.calls.map(([, source, lines, s]) => [source, lines, s.chunk, s.offset]),
      [
        [`import:${UCI}`, 100_000, 0, 0],
        [`import:${UCI}`, 100_000, 1, 1_000],
        [`import:${UCI}`, 100_000, 1, 1_000],
        [`import:${UCI}`, 100_000, 2, 2_000],
      ],
    );
    assert.equal(result.read, 300);
    assert.equal(result.files[0]!.chunks, 3);
  });

  it('fails, without retrying, when the counts do not reconcile', async () => {
    const m = mocks((file, start) => Promise.resolve(chunkAfter(file, start)));
    let reconciles = 0;
    m.activities.reconcileTransactionImport = () => {
      reconciles++;
      return Promise.reject(ApplicationFailure.nonRetryable('import does not reconcile', 'ReconciliationMismatch'));
    };
    const err = await withWorker(env, m.activities, (taskQueue) =>
      env.client.workflow
        .execute(importTransactions, { taskQueue, workflowId: 'import-transactions-mismatch', args: [{ uris: [DAY] }] })
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.equal(reconciles, 1);
  });

  const bad: [string, ImportTransactionsInput, string][] = [
    ['no files', { uris: [] }, 'uris: give at least one gs:// URI'],
    [
      'a path instead of a gs:// URI',
      { uris: [UCI, '/tmp/x.csv'] },
      'uris[1]: must be gs://<bucket>/<object>, got "/tmp/x.csv"',
    ],
    ['a file twice', { uris: [UCI, DAY, UCI] }, `uris[2]: ${UCI} is listed twice`],
    [
      'a source per file missing',
      { uris: [UCI, DAY], sources: ['a'] },
      'sources: must name each of the 2 file(s), got ["a"]',
    ],
    [
      'a chunk of no lines',
      { uris: [UCI], chunkLines: 0 },
      'chunkLines: must be a whole number from 1 to 1000000, got 0',
    ],
  ];
  for (const [name, input, message] of bad) {
    it(`fails at once, naming the field, given ${name}`, async () => {
      const m = mocks((file, start) => Promise.resolve(chunkAfter(file, start)));
      const err = await withWorker(env, m.activities, (taskQueue) =>
        env.client.workflow
          .execute(importTransactions, {
            taskQueue,
            workflowId: `import-transactions-bad-${name.replaceAll(' ', '-')}`,
            args: [input],
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          ),
      );
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.message, message);
      assert.equal(m.calls.length, 0);
    });
  }
});
