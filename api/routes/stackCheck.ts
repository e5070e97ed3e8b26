// POST /v1/stack-check: start a stackCheck workflow and say where to watch it.
import { randomBytes } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import { stackCheckWorkflowId } from '../../contracts/stackCheck.ts';
import type { stackCheck } from '../../workflows/stackCheck.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { BEARER, errors, json, router, StartedSchema } from '../openapi.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/stack-check',
  tags: ['operations'],
  security: BEARER,
  summary: 'Round-trip a row through Postgres, GCS and BigQuery in a workflow; write',
  responses: { 202: json(StartedSchema, 'started'), ...errors(401, 403) },
});

export function stackCheckRoutes({ cfg, temporal, keys }: ApiDeps) {
  return router().openapi({ ...route, middleware: [requireRole(keys, 'write')] as const }, async (c) => {
    const stamp = `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
    const handle = await temporal.workflow.start<typeof stackCheck>('stackCheck', {
      workflowId: stackCheckWorkflowId(stamp),
      taskQueue: cfg.temporal.taskQueues.ingest,
      args: [],
      typedSearchAttributes: runSearchAttributes({ pipeline: 'stack-check' }),
    });
    return c.json(
      {
        workflowId: handle.workflowId,
        runId: handle.firstExecutionRunId,
        temporalUrl: workflowUrl(cfg.temporal, handle.workflowId, handle.firstExecutionRunId),
      },
      202,
    );
  });
}
