// How close a workflow run came to Temporal's limits (DESIGN.md), read from the server: its history's
// events and bytes, its largest payload blob, and the most activities and children it had open at once.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;

/** Temporal's defaults for a run (DESIGN.md): over them the server fails or stops scheduling. */
export const TEMPORAL_LIMITS = {
  historyEvents: 51_200,
  historyBytes: 50 * 2 ** 20,
  payloadBytes: 2 * 2 ** 20,
  pendingActivities: 2_000,
  pendingChildren: 2_000,
} as const;

export interface HistoryStats {
  events: number;
  bytes: number;
  /** The largest Payloads blob (an input, a result, heartbeat details), and which event carried it. */
  largestPayloadBytes: number;
  largestPayloadEvent: string;
  maxPendingActivities: number;
  maxPendingChildren: number;
  /** Activities started by each worker identity (which process did the work). */
  activitiesPerWorker: Record<string, number>;
}

type Payload = { data?: Uint8Array | null; metadata?: Record<string, Uint8Array> | null };

const payloadBytes = (p: Payload) =>
  (p.data?.length ?? 0) + Object.entries(p.metadata ?? {}).reduce((n, [k, v]) => n + k.length + v.length, 0);

/** Every `payloads` list inside an event's attributes, as the bytes of each blob. */
function blobSizes(value: unknown, out: number[]): number[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return out;
  for (const [key, v] of Object.entries(value)) {
    if (key === 'payloads' && Array.isArray(v)) out.push((v as Payload[]).reduce((n, p) => n + payloadBytes(p), 0));
    else blobSizes(v, out);
  }
  return out;
}

export async function historyStats(client: Client, workflowId: string): Promise<HistoryStats> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const history = await handle.fetchHistory();
  const { EventType } = temporal.api.enums.v1;
  const pendingActivities = new Set<string>();
  const pendingChildren = new Set<string>();
  const stats: HistoryStats = {
    events: description.historyLength,
    bytes: description.historySize ?? temporal.api.history.v1.History.encode(history).finish().length,
    largestPayloadBytes: 0,
    largestPayloadEvent: '',
    maxPendingActivities: 0,
    maxPendingChildren: 0,
    activitiesPerWorker: {},
  };
  for (const e of history.events ?? []) {
    const type = EventType[e.eventType ?? 0] ?? String(e.eventType);
    const largest = Math.max(0, ...blobSizes(e, []));
    if (largest > stats.largestPayloadBytes) {
      stats.largestPayloadBytes = largest;
      stats.largestPayloadEvent = type;
    }
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes) pendingActivities.add(id);
    for (const ended of [
      e.activityTaskCompletedEventAttributes,
      e.activityTaskFailedEventAttributes,
      e.activityTaskTimedOutEventAttributes,
      e.activityTaskCanceledEventAttributes,
    ])
      if (ended) pendingActivities.delete(String(ended.scheduledEventId));
    const started = e.activityTaskStartedEventAttributes;
    if (started)
      stats.activitiesPerWorker[started.identity ?? '?'] =
        (stats.activitiesPerWorker[started.identity ?? '?'] ?? 0) + 1;
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) pendingChildren.add(id);
    for (const ended of [
      e.childWorkflowExecutionCompletedEventAttributes,
      e.childWorkflowExecutionFailedEventAttributes,
      e.childWorkflowExecutionTimedOutEventAttributes,
      e.childWorkflowExecutionCanceledEventAttributes,
      e.childWorkflowExecutionTerminatedEventAttributes,
      e.startChildWorkflowExecutionFailedEventAttributes,
    ])
      if (ended) pendingChildren.delete(String(ended.initiatedEventId));
    stats.maxPendingActivities = Math.max(stats.maxPendingActivities, pendingActivities.size);
    stats.maxPendingChildren = Math.max(stats.maxPendingChildren, pendingChildren.size);
  }
  return stats;
}
