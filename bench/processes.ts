// The processes a benchmark starts as production runs them (workers, the API), their peak memory,
// and waiting for the API to answer.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
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
