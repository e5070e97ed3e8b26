// Temporal calls made while answering a request are bounded: a server that does not answer costs a
// request a few seconds and a 503, never a hang, and reads of run rows do not wait on it at all.
import type { Client, QueryDefinition } from '@temporalio/client';
import { createMiddleware } from 'hono/factory';
import { withTemporalDeadline } from '../platform/temporal.ts';
import { unavailableDependency } from './errors.ts';

/** Longest a request waits on any one Temporal call. */
export const TEMPORAL_DEADLINE_MS = 4_000;
/** Live progress is a nicety on top of a run row: asked briefly, and not at all for a while after Temporal failed. */
const PROGRESS_DEADLINE_MS = 1_000;
const SKIP_PROGRESS_AFTER_OUTAGE_MS = 5_000;

export function temporalDeadline(temporal: Client) {
  return createMiddleware((_c, next) => withTemporalDeadline(temporal, TEMPORAL_DEADLINE_MS, next));
}

const lastOutage = new WeakMap<Client, number>();

/** A running workflow's answer to a progress query, or undefined when Temporal cannot give it now. */
export async function liveProgress<T>(temporal: Client, workflowId: string, query: QueryDefinition<T>): Promise<T | undefined> {
  if (Date.now() - (lastOutage.get(temporal) ?? -Infinity) < SKIP_PROGRESS_AFTER_OUTAGE_MS) return undefined;
  try {
    return await withTemporalDeadline(temporal, PROGRESS_DEADLINE_MS, () => temporal.workflow.getHandle(workflowId).query(query));
  } catch (err) {
    if (unavailableDependency(err) === 'temporal') lastOutage.set(temporal, Date.now());
    return undefined;
  }
}
