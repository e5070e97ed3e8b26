// Preloaded by `npm test` into each test file's process. The test stack is one (one Temporal, one
// Postgres, one of each emulator), so the files that use it (workflow, integration, browser) run one
// at a time, while the pure ones (unit, replay) run beside them and while the stack starts. A file
// that uses the stack first waits for the runner's ready file, then for the stack lane, which it
// holds until its process ends. The lane is a socket in Linux's abstract namespace: one process at a
// time can listen on it, and the kernel frees it when that process ends, however it ends, so a
// killed test leaves no stale lock. Plain JavaScript: worker threads inherit this preload without tsx.
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread } from 'node:worker_threads';

const ROOT = path.resolve(import.meta.dirname, '..');
const STACK_DIRS = ['test/workflow', 'test/integration', 'test/browser'].map((d) => path.join(ROOT, d) + path.sep);
const readyFile = process.env.RETAILFLOW_TEST_READY_FILE;
const file = process.argv[1];

async function holdLane(name) {
  for (;;) {
    const server = net.createServer();
    /** @type {boolean} */
    const held = await new Promise((resolve, reject) => {
      server.once('error', (e) => (e.code === 'EADDRINUSE' ? resolve(false) : reject(e)));
      server.listen(name, () => resolve(true));
    });
    if (held) return server.unref();
    await sleep(200);
  }
}

if (isMainThread && readyFile && file && STACK_DIRS.some((dir) => path.resolve(file).startsWith(dir))) {
  while (!existsSync(readyFile)) await sleep(200);
  await holdLane(`\0retailflow-test-lane:${readyFile}`);
}
