// What Temporal knows and the SDK's worker metrics do not say, read from the server at each scrape:
// each schedule's missed runs and when it last acted, and each task queue's backlog. Registered by
// worker processes (they hold a client); every worker reports the same values, so rules take max().
import type { Client } from '@temporalio/client';
import { Gauge } from 'prom-client';
import type { Config } from './config.ts';
import { registry } from './metrics.ts';

// temporal.api.enums.v1.TaskQueueType (the proto package is a dev dependency only).
const QUEUE_TYPES = { workflow: 1, activity: 2 } as const;

/**
 * Registers the gauges on the process's registry; they ask `client` when scraped. While Temporal
 * does not answer they are absent (the rest of the scrape still works; rules alert on absence).
 */
export function watchTemporal(client: Client, cfg: Config): void {
  new Gauge({
    name: 'retailflow_schedule_missed_runs',
    help: 'Runs a schedule skipped because they were due longer ago than its catch-up window (since the schedule was created)',
    labelNames: ['schedule'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await describeSchedules(client)) this.set({ schedule: s.id }, s.missed);
    },
  });
  new Gauge({
    name: 'retailflow_schedule_last_run_timestamp_seconds',
    help: 'When a schedule last started its workflow (Unix seconds); absent for one that never ran',
    labelNames: ['schedule'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await describeSchedules(client))
        if (s.lastRun !== undefined) this.set({ schedule: s.id }, s.lastRun);
    },
  });
  new Gauge({
    name: 'retailflow_schedule_paused',
    help: '1 for a paused schedule, 0 otherwise',
    labelNames: ['schedule'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await describeSchedules(client)) this.set({ schedule: s.id }, s.paused ? 1 : 0);
    },
  });
  new Gauge({
    name: 'retailflow_task_queue_backlog',
    help: "Tasks waiting in a task queue for a worker (the server's approximate count), by queue and type",
    labelNames: ['task_queue', 'type'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await orAbsent(() =>
        Promise.all(
          Object.values(cfg.temporal.taskQueues).flatMap((queue) =>
            Object.entries(QUEUE_TYPES).map(async ([type, taskQueueType]) => {
              const res = await client.workflowService.describeTaskQueue({
                namespace: cfg.temporal.namespace,
                taskQueue: { name: queue },
                taskQueueType,
                reportStats: true,
              });
              this.set({ task_queue: queue, type }, Number(res.stats?.approximateBacklogCount ?? 0));
            }),
          ),
        ),
      );
    },
  });
}

async function orAbsent(read: () => Promise<unknown>): Promise<void> {
  await read().catch(() => undefined);
}

interface ScheduleState {
  id: string;
  missed: number;
  lastRun?: number;
  paused: boolean;
}

// The three schedule gauges are collected in one scrape: they share one round of describes.
let inFlight: { at: number; states: Promise<ScheduleState[]> } | undefined;
const SHARED_MS = 1_000;

function describeSchedules(client: Client): Promise<ScheduleState[]> {
  if (inFlight && Date.now() - inFlight.at < SHARED_MS) return inFlight.states.catch(() => []);
  const states = (async () => {
    const out: ScheduleState[] = [];
    for await (const summary of client.schedule.list()) {
      const d = await client.schedule.getHandle(summary.scheduleId).describe();
      const last = d.info.recentActions.at(-1)?.takenAt;
      out.push({
        id: summary.scheduleId,
        missed: d.info.numActionsMissedCatchupWindow,
        lastRun: last ? last.getTime() / 1000 : undefined,
        paused: d.state.paused,
      });
    }
    return out;
  })();
  inFlight = { at: Date.now(), states };
  return states.catch(() => []);
}
