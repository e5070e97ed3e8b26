// Faults injected into a running local stack, shared by the short chaos test
// (test/integration/chaos.test.ts) and `npm run chaos` (bench/chaos.ts): Node processes (workers,
// the API) killed with SIGKILL, managed services crashed or stopped and started again on the same
// data, and the moment to strike (an activity of a run in flight).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Config } from '../../platform/config.ts';
import { ROOT, stackDirs } from './paths.ts';
import { isAlive, runningPid, stopProcess } from './processes.ts';
import { services, type ServiceName } from './services.ts';
import { stackUp } from './stack.ts';

const { PendingActivityState } = proto.temporal.api.enums.v1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Node process of the stack under test (a worker, the API): its output kept and appended to a log file. */
export interface NodeProcess {
  child: ChildProcess;
  /** Its output lines, the last `keepLines`. */
  output: string[];
  alive: () => boolean;
}

export function startNode(
  script: string,
  o: { env: NodeJS.ProcessEnv; logFile: string; nodeArgs?: string[]; keepLines?: number },
): NodeProcess {
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, script)], {
    env: o.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = o.keepLines ?? Infinity;
  const log = createWriteStream(o.logFile, { flags: 'a' });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (d: Buffer) => {
      output.push(...d.toString().split('\n').filter(Boolean));
      if (output.length > keep) output.splice(0, output.length - keep);
    });
    stream.pipe(log);
  }
  return { child, output, alive: () => child.exitCode === null && child.signalCode === null };
}

/** kill -9, resolved once the process is gone. */
export async function killNode(p: NodeProcess): Promise<void> {
  if (!p.alive()) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGKILL');
  await exited;
}

/** kill -9 of a managed service's whole process group (Postgres: the postmaster and its backends); its pid. */
export async function crashService(cfg: Config, name: ServiceName): Promise<number> {
  const pid = await runningPid(stackDirs(cfg.stack.dataDir).run, name);
  if (!pid) throw new Error(`${name} is not running in this stack (${cfg.stack.dataDir})`);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
  while (isAlive(pid)) await sleep(20);
  return pid;
}

/** Stops a managed service as an operator restarting it would: its stop signal, SIGKILL after the grace period. */
export async function stopService(cfg: Config, name: ServiceName): Promise<void> {
  const svc = (await services(cfg, {})).find((s) => s.name === name);
  if (!svc) throw new Error(`${name} is not managed by this stack`);
  await stopProcess(stackDirs(cfg.stack.dataDir).run, name, svc.stopSignal);
}

/** Starts what is down again on the same data, trying until it is up (a crashed Postgres's shared memory may linger a moment). */
export async function restartServices(cfg: Config, seconds = 90): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      await stackUp(cfg);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(500);
    }
  }
}

/** An activity of a workflow in flight: scheduled (waiting for a worker or its next attempt) or started by a worker. */
export interface PendingActivity {
  workflowId: string;
  type: string;
  started: boolean;
  /** The pid of the worker process that last took it (from its identity, `<pid>@<host>`). */
  workerPid: number | undefined;
  attempt: number;
  /** Why its previous attempt failed, if one did (what a fault caused). */
  lastFailure: string | undefined;
}

export async function pendingActivities(client: Client, workflowId: string): Promise<PendingActivity[]> {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  return (raw.pendingActivities ?? []).map((a) => ({
    workflowId,
    type: a.activityType?.name ?? '',
    started: a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
    workerPid: Number(a.lastWorkerIdentity?.split('@')[0]) || undefined,
    attempt: a.attempt ?? 1,
    lastFailure: a.lastFailure?.message ?? undefined,
  }));
}

/**
 * Polls the workflows' pending activities until one matches, and returns it. Short activities (a
 * daily ingest's steps take a fraction of a second) need the short default interval to be caught.
 */
export async function whenActivity(
  client: Client,
  workflowIds: string[],
  match: (a: PendingActivity) => boolean,
  o: { seconds?: number; everyMs?: number } = {},
): Promise<PendingActivity> {
  const deadline = Date.now() + (o.seconds ?? 120) * 1000;
  for (;;) {
    for (const id of workflowIds) {
      const found = (await pendingActivities(client, id).catch(() => [])).find(match);
      if (found) return found;
    }
    if (Date.now() > deadline)
      throw new Error(`no such activity in ${workflowIds.join(', ')} within ${o.seconds ?? 120} s`);
    await sleep(o.everyMs ?? 50);
  }
}
