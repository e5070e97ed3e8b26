// One `npm start` per data dir: it holds <run>/start.json (its pid, URLs and the services it
// started) while it runs. A second one reads who holds it; a file whose pid is gone (a killed run)
// is taken over, with the services that run started.
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { StackDirs } from './paths.ts';
import { isAlive, stopProcess } from './processes.ts';

export interface Instance {
  pid: number;
  pageUrl: string;
  apiUrl: string;
  startedAt: string;
  /** The services this run started, so that a run taking over stops them too. */
  services?: string[];
}

export type Claim =
  | { held: true; release: () => void; record: (services: string[]) => void; takenOverFrom?: Instance }
  | { held: false; holder: Instance };

export const instanceFile = (runDir: string): string => path.join(runDir, 'start.json');

function read(file: string): Instance | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Instance;
    return Number.isInteger(parsed.pid) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the data dir for this process, or names the live process that has it. */
export async function claimInstance(runDir: string, me: Omit<Instance, 'pid' | 'startedAt'>): Promise<Claim> {
  await mkdir(runDir, { recursive: true });
  const file = instanceFile(runDir);
  const mine: Instance = { pid: process.pid, startedAt: new Date().toISOString(), ...me };
  // Written aside and linked into place: creating the link either succeeds or finds a holder.
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, JSON.stringify(mine));
  try {
    let takenOverFrom: Instance | undefined;
    for (;;) {
      try {
        linkSync(draft, file);
        const release = () => {
          if (read(file)?.pid === process.pid) rmSync(file, { force: true });
        };
        const record = (services: string[]) => {
          writeFileSync(draft, JSON.stringify({ ...mine, services }));
          renameSync(draft, file);
        };
        return { held: true, release, record, takenOverFrom };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = read(file);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) return { held: false, holder };
      takenOverFrom = holder;
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

/** This process as the `npm start` of its data dir. */
export interface Tenure {
  /** Notes the services this run started (so that a run taking over after a kill stops them). */
  record: (services: string[]) => void;
  /** The services a killed run had started: this run stops them too. */
  inherited: string[];
}

/**
 * Makes this process the `npm start` of its data dir; or prints where the one already running is
 * (pid, page, API) and returns undefined. Taking over from a killed run, it first stops the child
 * processes (`leftovers`, by pid file) that run left behind.
 */
export async function becomeInstance(
  dirs: StackDirs,
  urls: { pageUrl: string; apiUrl: string },
  leftovers: string[],
  log: (msg: string) => void,
): Promise<Tenure | undefined> {
  const claim = await claimInstance(dirs.run, urls);
  if (!claim.held) {
    const { pid, pageUrl, apiUrl, startedAt } = claim.holder;
    log(
      [
        `retailflow is already running from this data dir (${dirs.data}): pid ${pid}, started ${startedAt}`,
        `  planners' page ${pageUrl}`,
        `  API            ${apiUrl}`,
        `Stop it with Ctrl-C in its terminal or \`kill -INT ${pid}\`.`,
      ].join('\n'),
    );
    return undefined;
  }
  process.on('exit', claim.release);
  if (claim.takenOverFrom) {
    log(`an earlier run (pid ${claim.takenOverFrom.pid}) ended without stopping; taking over`);
    for (const name of leftovers) {
      if (await stopProcess(dirs.run, name)) log(`stopped the ${name} it left running`);
    }
  }
  return { record: claim.record, inherited: claim.takenOverFrom?.services ?? [] };
}
