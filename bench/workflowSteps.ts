// Where a workflow run's time went, read from its history.
import type { Client } from '@temporalio/client';

/** Seconds each step (activity type) took in a run: from its first scheduling to its last completion; the run record's activity aside. */
export async function stepSeconds(
  client: Client,
  workflowId: string,
  runRecord: string,
): Promise<Record<string, number>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, { type: string; at: number }>();
  const spans = new Map<string, { from: number; to: number }>();
  const time = (t: unknown) => {
    const { seconds, nanos } = t as { seconds: { toNumber(): number } | number; nanos: number };
    return (typeof seconds === 'number' ? seconds : seconds.toNumber()) * 1000 + nanos / 1e6;
  };
  for (const e of history.events ?? []) {
    const at = time(e.eventTime);
    const s = e.activityTaskScheduledEventAttributes;
    if (s && s.activityType!.name !== runRecord) scheduled.set(String(e.eventId), { type: s.activityType!.name!, at });
    const done = e.activityTaskCompletedEventAttributes;
    const step = done && scheduled.get(String(done.scheduledEventId));
    if (step) {
      const { type, at: from } = step;
      const span = spans.get(type);
      spans.set(type, { from: Math.min(span?.from ?? from, from), to: Math.max(span?.to ?? at, at) });
    }
  }
  return Object.fromEntries([...spans].map(([type, { from, to }]) => [type, Number(((to - from) / 1000).toFixed(2))]));
}
