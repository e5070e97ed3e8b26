// The test stacks are few (`npm test` starts one per lane, each with its own Temporal, Postgres and
// emulators), so the test files that use one (every file that imports helpers/stack.ts) take a lane
// and hold it until their process ends, while the others run beside them and while the stacks start.
// A file waits here, once its modules are loaded (so loading overlaps the file before it), for a lane
// whose stack is up (its file in the lanes dir, holding the settings that differ on that lane) and
// free. A lane is a socket in Linux's abstract namespace: one process at a time can listen on it, and
// the kernel frees it when that process ends, however it ends, so a killed test leaves no stale lock.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LANE_FILE } from '../../scripts/test-profile.ts';

/** Waits until `npm test` has written this file (its word that something is ready). */
export async function fileWritten(file: string): Promise<void> {
  while (!existsSync(file)) await sleep(200);
}

function listen(name: string): Promise<boolean> {
  const server = net.createServer();
  return new Promise<boolean>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(false) : reject(e)));
    server.listen(`\0retailflow-test-lane:${name}`, () => {
      server.unref();
      resolve(true);
    });
  });
}

/**
 * Waits until a lane's stack is up and no other file uses it, then points this process's
 * environment at that stack; outside `npm test` (no lanes dir named), returns at once.
 */
export async function holdStackLane(lanesDir = process.env.RETAILFLOW_TEST_LANES_DIR): Promise<void> {
  if (!lanesDir) return;
  for (;;) {
    const ready = (await readdir(lanesDir)).filter((f) => LANE_FILE.test(f)).sort();
    for (const file of ready) {
      if (!(await listen(`${lanesDir}/${file}`))) continue;
      Object.assign(process.env, JSON.parse(await readFile(path.join(lanesDir, file), 'utf8')));
      return;
    }
    await sleep(200);
  }
}
