// Child Node processes of `npm start` (workers, API), run with tsx in a process group of their own,
// so a Ctrl-C reaches only the supervisor, which stops them in order. Their output goes to the
// terminal as it is and to <logs>/<name>.log without colour codes; their pid to <run>/<name>.pid.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { StackDirs } from './stack/paths.ts';
import { ROOT } from './stack/paths.ts';
import type { Running } from './supervisor.ts';

export interface ChildSpec {
  name: string;
  /** A TypeScript entry point, relative to the project root. */
  script: string;
  args?: string[];
  /** Flags for node itself, before the script. */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** How long a SIGTERM may take before SIGKILL. */
  graceMs?: number;
}

/** Copies a stream to the terminal unchanged and to a log file line by line, colour codes removed. */
function tee(from: NodeJS.ReadableStream, terminal: NodeJS.WritableStream, file: NodeJS.WritableStream): void {
  let partial = '';
  from.on('data', (chunk: Buffer) => {
    terminal.write(chunk);
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop()!;
    if (lines.length) file.write(lines.map((l) => `${stripVTControlCharacters(l)}\n`).join(''));
  });
  from.on('end', () => {
    if (partial) file.write(`${stripVTControlCharacters(partial)}\n`);
  });
}

export async function spawnTs(spec: ChildSpec, dirs: Pick<StackDirs, 'logs' | 'run'>): Promise<Running> {
  const logFile = createWriteStream(path.join(dirs.logs, `${spec.name}.log`), { flags: 'a' });
  const pidFile = path.join(dirs.run, `${spec.name}.pid`);
  const child = spawn(
    process.execPath,
    [...(spec.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, spec.script), ...(spec.args ?? [])],
    {
      env: spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  // The terminal may be gone (npm's window closed): the log file still gets everything.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  tee(child.stdout, process.stdout, logFile);
  tee(child.stderr, process.stderr, logFile);
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`could not start ${spec.name}: ${err.message}`)));
    child.once('spawn', () => resolve(child.pid!));
  });
  await writeFile(pidFile, String(pid));
  // Ends once the child's output is all in the file, so stopping loses none of it.
  const logged = new Promise<void>((resolve) => {
    child.once('close', () => logFile.end(resolve));
  });
  const exited = new Promise<string>((resolve) => {
    child.once(
      'exit',
      (code, signal) => void rm(pidFile, { force: true }).then(() => resolve(signal ?? `code ${code}`)),
    );
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const timer = setTimeout(() => child.kill('SIGKILL'), spec.graceMs ?? 15_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    }
    await Promise.all([exited, logged]);
    return true;
  };
  return { pid, exited, stop };
}
