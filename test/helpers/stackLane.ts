// The test stack is one (one Temporal, one Postgres, one of each emulator), so the test files that
// use it (every one that imports helpers/stack.ts) run one at a time, while the others run beside
// them and while the stack starts. A file waits here, once its modules are loaded (so loading
// overlaps the file before it), for `npm test`'s ready file and then for the lane, which it holds
// until its process ends. The lane is a socket in Linux's abstract namespace: one process at a time
// can listen on it, and the kernel frees it when that process ends, however it ends, so a killed
// test leaves no stale lock.
import { existsSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Waits until `npm test` has written this file (its word that something is ready). */
export async function fileWritten(file: string): Promise<void> {
  while (!existsSync(file)) await sleep(200);
}

/** Waits until the stack is up and no other file uses it; outside `npm test` (no ready file named), at once. */
export async function holdStackLane(readyFile = process.env.RETAILFLOW_TEST_READY_FILE): Promise<void> {
  if (!readyFile) return;
  await fileWritten(readyFile);
  for (;;) {
    const server = net.createServer();
    const held = await new Promise<boolean>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(false) : reject(e)));
      server.listen(`\0retailflow-test-lane:${readyFile}`, () => resolve(true));
    });
    if (held) {
      server.unref();
      return;
    }
    await sleep(200);
  }
}
