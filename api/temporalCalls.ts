// Temporal calls made while answering a request are bounded: a server that does not answer costs a
// request a few seconds and a 503, never a hang, and reads of run rows do not wait on it at all.
import { WorkflowNotFoundError, type Client, type QueryDefinition } from '@temporalio/client';
import { createMiddleware } from 'hono/factory';
import type { Config } from '../platform/config.ts';
import { failureReason, withTemporalDeadline, workflowUrl } from '../platform/temporal.ts';
import { notFound, unavailableDependency } from './errors.ts';

/** Longest a request waits on any one Temporal call. */
export const TEMPORAL_DEADLINE_MS = 4_000;
/** What Temporal adds to a run row (live progress, a closed workflow's end) is asked briefly, and not at all for a while after it failed. */
const PROGRESS_DEADLINE_MS = 1_000;
const SKIP_PROGRESS_AFTER_OUTAGE_MS = 5_000;

export function temporalDeadline(temporal: Client) {
  return createMiddleware((_c, next) => withTemporalDeadline(temporal, TEMPORAL_DEADLINE_MS, next));
}

const lastOutage = new WeakMap<Client, number>();

/**
 * `ask`'s answer, or undefined when Temporal cannot give one within a second (or failed a moment
 * ago): what a read adds from Temporal to a Postgres row is never worth waiting for.
 */
export async function briefly<T>(temporal: Client, ask: () => Promise<T>): Promise<T | undefined> {
  if (Date.now() - (lastOutage.get(temporal) ?? -Infinity) < SKIP_PROGRESS_AFTER_OUTAGE_MS) return undefined;
  try {
    return await withTemporalDeadline(temporal, PROGRESS_DEADLINE_MS, ask);
  } catch (err) {
    if (unavailableDependency(err) !== 'temporal') throw err;
    lastOutage.set(temporal, Date.now());
    return undefined;
  }
}

/** A running workflow's answer to a progress query, or undefined when it cannot give one now. */
export function liveProgress<T>(
  temporal: Client,
  workflowId: string,
  query: QueryDefinition<T> | string,
): Promise<T | undefined> {
  return briefly(temporal, () => temporal.workflow.getHandle(workflowId).query<T>(query)).catch(() => undefined);
}

/**
 * A workflow by id as an import's page shows it: its status, live `progress` while it runs, its
 * `result` once completed, or its `error`; 404 naming `what` for an unknown id.
 */
export async function workflowState<P>(
  temporal: Client,
  cfg: Config['temporal'],
  id: string,
  progress: QueryDefinition<P>,
  what: string,
) {
  const handle = temporal.workflow.getHandle(id);
  const description = await handle.describe().catch((err: unknown) => {
    if (err instanceof WorkflowNotFoundError) throw notFound(`no ${what} ${id}`, 'id');
    throw err;
  });
  const status = description.status.name;
  const base = {
    workflowId: id,
    runId: description.runId,
    status,
    temporalUrl: workflowUrl(cfg, id, description.runId),
  };
  if (status === 'RUNNING') return { ...base, progress: await liveProgress<P>(temporal, id, progress) };
  if (status === 'COMPLETED') return { ...base, result: (await handle.result()) as Record<string, unknown> };
  const error = await handle.result().then(() => undefined, failureReason);
  return { ...base, ...(error ? { error } : {}) };
}
