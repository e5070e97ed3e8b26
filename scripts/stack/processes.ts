// Background service processes: started detached with their output in a log file and their
// pid in a pid file, found again by later commands, and stopped with a grace period.
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { capture } from './exec.ts';

export interface ManagedProcess {
  name: string;
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Running, not a zombie: an init that does not reap (some containers) keeps dead orphans listed. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return !existsSync('/proc/self/stat');
  }
}

const pidFile = (runDir: string, name: string) => path.join(runDir, `${name}.pid`);

/** The pid of a service this stack started and that is still running. */
export async function runningPid(runDir: string, name: string): Promise<number | undefined> {
  const file = pidFile(runDir, name);
  if (!existsSync(file)) return undefined;
  const pid = Number((await readFile(file, 'utf8')).trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return pid;
  await rm(file, { force: true });
  return undefined;
}

/** How the processes this process started ended (a signal name or "code N"), by pid. */
const exits = new Map<number, Promise<string>>();

/**
 * Resolves when the process ends: with its signal or exit code when this process started it,
 * otherwise (a service left by an earlier run) with "exit status unknown", found by polling.
 */
export function whenExited(pid: number, pollMs = 500): Promise<string> {
  return (
    exits.get(pid) ??
    new Promise((resolve) => {
      const timer = setInterval(() => {
        if (isAlive(pid)) return;
        clearInterval(timer);
        resolve('exit status unknown');
      }, pollMs);
    })
  );
}

export async function startProcess(p: ManagedProcess, dirs: { logs: string; run: string }): Promise<number> {
  const logFile = path.join(dirs.logs, `${p.name}.log`);
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(p.cmd, p.args, {
      env: p.env ?? process.env,
      uid: p.uid,
      gid: p.gid,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (err) => reject(new Error(`could not start ${p.name} (${p.cmd}): ${err.message}`)));
      child.once('spawn', () => resolve(child.pid!));
    });
    exits.set(
      pid,
      new Promise((resolve) =>
        child.once('exit', (code, signal) => {
          exits.delete(pid);
          resolve(signal ?? `code ${code}`);
        }),
      ),
    );
    child.unref();
    await writeFile(pidFile(dirs.run, p.name), String(pid));
    return pid;
  } finally {
    closeSync(fd);
  }
}

/** Stops a service: its stop signal to the whole process group, then SIGKILL after the grace period. */
export async function stopProcess(
  runDir: string,
  name: string,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 15_000,
): Promise<boolean> {
  const pid = await runningPid(runDir, name);
  if (!pid) return false;
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  kill(signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) kill('SIGKILL');
  while (isAlive(pid)) await sleep(50);
  await rm(pidFile(runDir, name), { force: true });
  return true;
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Which process listens on a TCP port, as "pid 123 (name)", when the system can tell. */
export async function portOwner(port: number): Promise<string> {
  try {
    const out = await capture('ss', ['-Hltnp', `sport = :${port}`]);
    const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(out);
    if (m) return `pid ${m[2]} (${m[1]})`;
  } catch {
    /* ss missing or not permitted */
  }
  return 'another process (run `ss -ltnp` to see which)';
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not become healthy within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

export async function tail(file: string, lines = 20): Promise<string> {
  if (!existsSync(file)) return '';
  return (await readFile(file, 'utf8'))
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}
