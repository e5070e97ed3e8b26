// The local stack as a whole: up (install, prepare, start, wait healthy), down, status.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { localPayloadKeysFile, type Config } from '../../platform/config.ts';
import { ensureLocalPayloadKeys } from '../local-keys.ts';
import { stackDirs } from './paths.ts';
import type { Supervised } from '../supervisor.ts';
import {
  isPortFree,
  portOwner,
  runningPid,
  startProcess,
  stopProcess,
  tail,
  waitFor,
  whenExited,
} from './processes.ts';
import { postgresDataDir, services, type Service, type ServiceName } from './services.ts';
import { ensureTools } from './tools.ts';

const HEALTH_TIMEOUT_MS = 90_000;
const log = (msg: string) => console.log(`[stack] ${msg}`);

export class PortTakenError extends Error {
  override name = 'PortTakenError';
}

async function checkPorts(svc: Service): Promise<void> {
  for (const { port, env } of svc.ports) {
    if (await isPortFree(port)) continue;
    throw new PortTakenError(
      `${svc.name}: port ${port} is already in use by ${await portOwner(port)}. ` +
        `Stop that process, or pick another port with ${env}=<port>.`,
    );
  }
}

async function startService(svc: Service, dirs: ReturnType<typeof stackDirs>): Promise<boolean> {
  if (await runningPid(dirs.run, svc.name)) {
    await waitFor(svc.name, svc.healthy, HEALTH_TIMEOUT_MS);
    return false;
  }
  await checkPorts(svc);
  await svc.prepare?.();
  const pid = await startProcess(svc.process(), dirs);
  try {
    await waitFor(
      `${svc.name} (pid ${pid})`,
      async () => {
        if (!(await runningPid(dirs.run, svc.name))) throw new Error('exited');
        return svc.healthy();
      },
      HEALTH_TIMEOUT_MS,
    );
  } catch (err) {
    const logFile = path.join(dirs.logs, `${svc.name}.log`);
    const exited = !(await runningPid(dirs.run, svc.name));
    await stopProcess(dirs.run, svc.name);
    throw new Error(
      `${svc.name} ${exited ? 'exited during start-up' : (err as Error).message}. Last lines of ${logFile}:\n${await tail(logFile)}`,
    );
  }
  await svc.afterStart?.();
  return true;
}

/** Brings every managed service up; returns the names of those this call started. */
export async function stackUp(cfg: Config): Promise<ServiceName[]> {
  const dirs = stackDirs(cfg.stack.dataDir);
  await Promise.all([dirs.logs, dirs.run].map((d) => mkdir(d, { recursive: true })));
  const keys = cfg.temporal.payloadKeys;
  if ('file' in keys && keys.file === localPayloadKeysFile(cfg.stack.dataDir)) await ensureLocalPayloadKeys(keys.file);
  const m = cfg.stack.managed;
  const tools = await ensureTools({
    postgres: m.postgres,
    python: m.gcs || m.bigquery || m.temporal,
    prometheus: m.prometheus,
  });
  const list = await services(cfg, tools);
  const started: ServiceName[] = [];
  const results = await Promise.allSettled(
    list.map(async (svc) => {
      const t0 = performance.now();
      if (await startService(svc, dirs)) {
        started.push(svc.name);
        log(`${svc.name} up in ${((performance.now() - t0) / 1000).toFixed(1)} s at ${svc.url}`);
      } else {
        log(`${svc.name} already running at ${svc.url}`);
      }
    }),
  );
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failures.length) {
    await stackDown(cfg, started);
    throw new Error(`the local stack did not come up:\n${failures.join('\n')}`);
  }
  return started;
}

/**
 * A managed service for the supervisor of `npm start`. Its first start adopts the process stackUp
 * left running (stopped at the end only when `owned`: one started by `npm run stack -- up` keeps
 * running); a later start, after it died, starts it again on the same data.
 */
export function supervisedService(cfg: Config, name: ServiceName, owned: boolean): Supervised {
  const dirs = stackDirs(cfg.stack.dataDir);
  let adopted = false;
  let lastPid: number | undefined;
  return {
    name,
    async start() {
      const m = cfg.stack.managed;
      const svc = (
        await services(
          cfg,
          await ensureTools({
            postgres: name === 'postgres',
            python: name !== 'postgres' && name !== 'prometheus' && (m.gcs || m.bigquery || m.temporal),
            prometheus: name === 'prometheus',
          }),
        )
      ).find((s) => s.name === name);
      if (!svc) throw new Error(`${name} is not managed by this stack`);
      const running = adopted ? undefined : await runningPid(dirs.run, name);
      const stops = adopted || owned || !running;
      adopted = true;
      // A killed postmaster leaves its backends behind for a moment, holding its shared memory.
      if (!running && lastPid) killGroup(lastPid);
      if (!running) await startService(svc, dirs);
      const pid = running ?? (await runningPid(dirs.run, name));
      if (!pid) throw new Error(`${name} exited during start-up`);
      lastPid = pid;
      return {
        pid,
        exited: whenExited(pid),
        stop: async () => {
          if (!stops) return false;
          await stopProcess(dirs.run, name, svc.stopSignal);
          return true;
        },
      };
    },
  };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* none left */
  }
}

/** Stops managed services (all, or the given ones). */
export async function stackDown(cfg: Config, only?: ServiceName[]): Promise<void> {
  const dirs = stackDirs(cfg.stack.dataDir);
  const list = (await services(cfg, {})).filter((s) => !only || only.includes(s.name));
  // Temporal first, so it does not log errors about vanished dependencies.
  for (const svc of list.reverse()) {
    if (await stopProcess(dirs.run, svc.name, svc.stopSignal)) log(`${svc.name} stopped`);
  }
}

/** Stops the stack and deletes its data, wherever Postgres keeps its files. */
export async function stackWipe(cfg: Config): Promise<void> {
  await stackDown(cfg);
  if (cfg.stack.managed.postgres) await rm(await postgresDataDir(cfg.stack.dataDir), { recursive: true, force: true });
  await rm(cfg.stack.dataDir, { recursive: true, force: true });
}

export interface ServiceStatus {
  name: ServiceName;
  pid?: number;
  healthy: boolean;
  url: string;
}

export async function stackStatus(cfg: Config): Promise<ServiceStatus[]> {
  const dirs = stackDirs(cfg.stack.dataDir);
  return Promise.all(
    (await services(cfg, {})).map(async (svc) => ({
      name: svc.name,
      pid: await runningPid(dirs.run, svc.name),
      healthy: await svc.healthy().catch(() => false),
      url: svc.url,
    })),
  );
}
