// POST /v1/stack-check: start a stackCheck workflow and say where to watch it.
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { stackCheckWorkflowId } from '../../contracts/stackCheck.ts';
import type { stackCheck } from '../../workflows/stackCheck.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';

export function stackCheckRoutes({ cfg, temporal }: ApiDeps) {
  return new Hono().post('/v1/stack-check', requireRole(cfg.api.keys, 'write'), async (c) => {
    const stamp = `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
    const handle = await temporal.workflow.start<typeof stackCheck>('stackCheck', {
      workflowId: stackCheckWorkflowId(stamp),
      taskQueue: cfg.temporal.taskQueues.ingest,
      args: [],
    });
    return c.json({
      workflowId: handle.workflowId,
      runId: handle.firstExecutionRunId,
      temporalUrl: workflowUrl(cfg.temporal, handle.workflowId, handle.firstExecutionRunId),
    }, 202);
  });
}
