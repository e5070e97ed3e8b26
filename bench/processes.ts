// The processes a benchmark starts as production runs them (workers, the API), their peak memory,
// and waiting for the API to answer.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from '../scripts/stack/paths.ts';

/** `node [nodeArgs] --import tsx <entry>` with this process's environment; its errors on this stderr. */
export function startProcess(entry: string, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, entry)], {
    env: process.env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Peak resident memory of a process, from /proc (Linux). */
export async function peakRssMiB(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Math.round(Number(kb) / 1024) : null;
}

/**
 * A process's command name and CPU seconds so far (user + system, all threads), from /proc (Linux,
 * 100 ticks a second); undefined when it has gone.
 */
export async function processCpuOf(pid: number): Promise<{ name: string; seconds: number } | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // "pid (comm) state ...": comm may hold spaces and parentheses.
  const close = stat.lastIndexOf(') ');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, close), seconds: (Number(fields[11]) + Number(fields[12])) / 100 };
}

/** processCpuOf of every running process, by pid. */
export async function processCpu(): Promise<Map<number, { name: string; seconds: number }>> {
  const cpu = new Map<number, { name: string; seconds: number }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const used = await processCpuOf(Number(entry));
    if (used) cpu.set(Number(entry), used);
  }
  return cpu;
}

/** Resolves once the API at `url` answers /healthz. */
export async function untilHealthy(url: string): Promise<void> {
  while (
    !(await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  )
    await new Promise((r) => setTimeout(r, 200));
}
