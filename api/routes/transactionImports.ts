// Online Retail imports: start one (the importTransactions workflow) on files already in the
// project bucket, follow one.
import { createRoute, z } from '@hono/zod-openapi';
import { newImportId } from '../../contracts/imports.ts';
import {
  MAX_TRANSACTION_CHUNK_LINES,
  MAX_TRANSACTION_FILES,
  TRANSACTION_IMPORT_WORKFLOW_PREFIX,
  transactionImportProgressQuery,
  transactionImportWorkflowId,
} from '../../contracts/transactionImports.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { importTransactions } from '../../workflows/importTransactions.ts';
import { requireRole } from '../auth.ts';
import { checkBucketObject } from '../bucketObjects.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { BEARER, errors, json, router, StartedSchema } from '../openapi.ts';
import { workflowState } from '../temporalCalls.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';

const TransactionImportBody = z
  .object({
    uris: z
      .array(z.string().regex(/^gs:\/\/[^/]+\/.+$/, { error: 'must be gs://<bucket>/<object>' }))
      .min(1, { error: 'give at least one gs:// URI' })
      .max(MAX_TRANSACTION_FILES, { error: `at most ${MAX_TRANSACTION_FILES} files per import` })
      .openapi({
        example: ['gs://retailflow/imports/2026-11-22/online_retail.csv'],
        description:
          'Online Retail CSV files in the project bucket (the UCI export, or Spark daily files), imported in this order',
      }),
    chunkLines: z
      .number()
      .int()
      .min(1)
      .max(MAX_TRANSACTION_CHUNK_LINES)
      .optional()
      .openapi({ description: 'lines per chunk activity (default 100,000)' }),
  })
  .strict()
  .openapi('TransactionImportFiles');

const TransactionImportStarted = StartedSchema.extend({
  links: z.object({ self: z.string().openapi({ description: 'GET it for progress, then the summary' }) }),
}).openapi('TransactionImportStarted');

const Progress = z
  .object({
    stage: z.enum(['starting', 'importing', 'reconciling', 'done']),
    files: z.number().int(),
    filesDone: z.number().int(),
    chunksDone: z.number().int(),
    read: z.number().int(),
    loaded: z.number().int(),
    rejected: z.number().int(),
    bytesDone: z.number().int(),
    bytesTotal: z.number().int(),
  })
  .openapi('TransactionImportProgress');

const TransactionImportState = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    status: z.string().openapi({ example: 'RUNNING' }),
    progress: Progress.optional().openapi({ description: 'while it runs' }),
    result: z.record(z.string(), z.unknown()).optional().openapi({
      description:
        'when completed: lines read, loaded (of which new or changed), rejected, per file and in all, and where the rejected lines are',
    }),
    error: z.string().optional().openapi({ description: 'when it failed' }),
    temporalUrl: z.string(),
  })
  .openapi('TransactionImport');

const start = createRoute({
  method: 'post',
  path: '/v1/transaction-imports',
  tags: ['ingest'],
  security: BEARER,
  summary:
    'Import Online Retail files from the project bucket into transactions (the importTransactions workflow: chunked, resumes after a crash, a rerun adds nothing); write',
  request: { body: { ...json(TransactionImportBody, 'the files'), required: true } },
  responses: { 202: json(TransactionImportStarted, 'started'), ...errors(400, 401, 403) },
});

const follow = createRoute({
  method: 'get',
  path: '/v1/transaction-imports/{id}',
  tags: ['ingest'],
  summary: 'An Online Retail import: its progress while it runs, then its summary',
  request: {
    params: z.object({ id: z.string().openapi({ example: 'import-transactions-20261122T101500-a1b2c3' }) }),
  },
  responses: { 200: json(TransactionImportState, 'the import'), ...errors(404) },
});

export function transactionImportRoutes({ cfg, temporal, store, keys }: ApiDeps) {
  const writer = requireRole(keys, 'write');
  return router()
    .openapi({ ...start, middleware: [writer] as const }, async (c) => {
      const { uris, chunkLines } = c.req.valid('json');
      const twice = uris.findIndex((u, i) => uris.indexOf(u) !== i);
      if (twice >= 0)
        throw new ApiError(400, 'invalid_request', `uris.${twice}: ${uris[twice]} is listed twice`, `uris.${twice}`);
      for (const [i, uri] of uris.entries()) await checkBucketObject(store, `uris.${i}`, uri);
      const handle = await temporal.workflow.start<typeof importTransactions>('importTransactions', {
        workflowId: transactionImportWorkflowId(newImportId()),
        taskQueue: cfg.temporal.taskQueues.ingest,
        args: [{ uris, ...(chunkLines ? { chunkLines } : {}) }],
        typedSearchAttributes: runSearchAttributes({ pipeline: 'import-transactions' }),
      });
      return c.json(
        {
          workflowId: handle.workflowId,
          runId: handle.firstExecutionRunId,
          temporalUrl: workflowUrl(cfg.temporal, handle.workflowId, handle.firstExecutionRunId),
          links: { self: `/v1/transaction-imports/${handle.workflowId}` },
        },
        202,
      );
    })
    .openapi(follow, async (c) => {
      const { id } = c.req.valid('param');
      if (!id.startsWith(TRANSACTION_IMPORT_WORKFLOW_PREFIX)) throw notFound(`no transaction import ${id}`, 'id');
      return c.json(
        await workflowState(temporal, cfg.temporal, id, transactionImportProgressQuery, 'transaction import'),
        200,
      );
    });
}
