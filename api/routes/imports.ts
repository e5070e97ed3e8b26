// Bulk imports: start one (the importSales workflow) on files already in the project bucket, follow one.
import { createRoute, z } from '@hono/zod-openapi';
import { IMPORT_WORKFLOW_PREFIX, importProgressQuery, importWorkflowId, newImportId } from '../../contracts/imports.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { importSales } from '../../workflows/importSales.ts';
import { requireRole } from '../auth.ts';
import { checkBucketObject } from '../bucketObjects.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { BEARER, errors, json, router, StartedSchema } from '../openapi.ts';
import { workflowState } from '../temporalCalls.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';

const GcsUri = z.string().regex(/^gs:\/\/[^/]+\/.+$/, { error: 'must be gs://<bucket>/<object>' });
const ImportBody = z
  .object({
    storesUri: GcsUri.optional().openapi({
      example: 'gs://retailflow/imports/2026-11-22/store.csv',
      description: 'a store.csv in the project bucket',
    }),
    trainUri: GcsUri.optional().openapi({
      example: 'gs://retailflow/imports/2026-11-22/train.csv',
      description: 'a train.csv in the project bucket',
    }),
    calendarUri: GcsUri.optional().openapi({
      example: 'gs://retailflow/imports/2026-11-22/test.csv',
      description: "a test.csv (Kaggle's columns) in the project bucket: the planned calendar of coming days",
    }),
  })
  .strict()
  .refine((b) => b.storesUri !== undefined || b.trainUri !== undefined || b.calendarUri !== undefined, {
    error: 'give trainUri, storesUri, calendarUri or several',
    path: ['trainUri'],
  })
  .openapi('ImportFiles');

const ImportStarted = StartedSchema.extend({
  links: z.object({ self: z.string().openapi({ description: 'GET it for progress, then the summary' }) }),
}).openapi('ImportStarted');

const Progress = z
  .object({
    stage: z.string(),
    read: z.number().int(),
    loaded: z.number().int(),
    rejected: z.number().int(),
    chunksDone: z.number().int(),
    bytesDone: z.number().int(),
    bytesTotal: z.number().int(),
  })
  .openapi('ImportProgress');

const ImportState = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    status: z.string().openapi({ example: 'RUNNING' }),
    progress: Progress.optional().openapi({ description: 'while it runs' }),
    result: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: 'when completed: counts per file, and where the rejected rows are' }),
    error: z.string().optional().openapi({ description: 'when it failed' }),
    temporalUrl: z.string(),
  })
  .openapi('Import');

const start = createRoute({
  method: 'post',
  path: '/v1/imports',
  tags: ['ingest'],
  security: BEARER,
  summary:
    'Import a store.csv, train.csv and/or test.csv (the planned calendar) from the project bucket (the importSales workflow: chunked, resumes after a crash); write',
  request: { body: { ...json(ImportBody, 'the files'), required: true } },
  responses: { 202: json(ImportStarted, 'started'), ...errors(400, 401, 403) },
});

const follow = createRoute({
  method: 'get',
  path: '/v1/imports/{id}',
  tags: ['ingest'],
  summary: 'An import: its progress while it runs, then its summary',
  request: { params: z.object({ id: z.string().openapi({ example: 'import-sales-20261122T101500-a1b2c3' }) }) },
  responses: { 200: json(ImportState, 'the import'), ...errors(404) },
});

export function importRoutes({ cfg, temporal, store, keys }: ApiDeps) {
  const writer = requireRole(keys, 'write');
  return router()
    .openapi({ ...start, middleware: [writer] as const }, async (c) => {
      const { storesUri, trainUri, calendarUri } = c.req.valid('json');
      if (storesUri !== undefined) await checkBucketObject(store, 'storesUri', storesUri);
      if (trainUri !== undefined) await checkBucketObject(store, 'trainUri', trainUri);
      if (calendarUri !== undefined) await checkBucketObject(store, 'calendarUri', calendarUri);
      const id = newImportId();
      const handle = await temporal.workflow.start<typeof importSales>('importSales', {
        workflowId: importWorkflowId(id),
        taskQueue: cfg.temporal.taskQueues.ingest,
        args: [{ storesUri, trainUri, calendarUri }],
        typedSearchAttributes: runSearchAttributes({ pipeline: 'import-sales' }),
      });
      return c.json(
        {
          workflowId: handle.workflowId,
          runId: handle.firstExecutionRunId,
          temporalUrl: workflowUrl(cfg.temporal, handle.workflowId, handle.firstExecutionRunId),
          links: { self: `/v1/imports/${handle.workflowId}` },
        },
        202,
      );
    })
    .openapi(follow, async (c) => {
      const { id } = c.req.valid('param');
      if (!id.startsWith(IMPORT_WORKFLOW_PREFIX)) throw notFound(`no import ${id}`, 'id');
      return c.json(await workflowState(temporal, cfg.temporal, id, importProgressQuery, 'import'), 200);
    });
}
