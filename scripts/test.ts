// `npm test [-- files...]`: type-checks, lints, checks the layer map (npm run layers) and the
// formatting (Prettier) while the isolated test stack starts from a clean data dir, provisions it,
// runs the unit, workflow, integration, replay and browser tests with node's test runner, and stops
// the stack. Chosen files run without the static checks. Exits non-zero if any check or test failed.
import { execFile, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../platform/config.ts';
import { runMain } from '../platform/main.ts';
import { provision } from '../platform/provision.ts';
import { ensureChromium } from './stack/chromium.ts';
import { ROOT } from './stack/paths.ts';
import { stackDown, stackUp, stackWipe } from './stack/stack.ts';
import { TEST_PROFILE } from './test-profile.ts';

const TEST_DIRS = ['test/unit', 'test/workflow', 'test/integration', 'test/replay', 'test/browser'];
const BROWSER_DIR = 'test/browser';

async function testFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of TEST_DIRS) {
    const entries = await readdir(path.join(ROOT, dir), { recursive: true }).catch(() => []);
    files.push(
      ...entries
        .filter((f) => f.endsWith('.test.ts'))
        .sort()
        .map((f) => path.join(dir, f)),
    );
  }
  return files;
}

/** Runs a static check quietly; prints its output only when it fails. */
function staticCheck(name: string, bin: string, args: string[]): Promise<boolean> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(
      path.join(ROOT, 'node_modules', '.bin', bin),
      args,
      { cwd: ROOT, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const seconds = ((performance.now() - t0) / 1000).toFixed(1);
        if (err) console.error(`[test] ${name} FAILED (${seconds} s):\n${stdout}${stderr}`);
        else console.log(`[test] ${name} passed (${seconds} s)`);
        resolve(!err);
      },
    );
  });
}

function runNodeTests(files: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
      { cwd: ROOT, stdio: 'inherit', env: process.env },
    );
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

runMain('test', async () => {
  for (const [k, v] of Object.entries(TEST_PROFILE)) process.env[k] ??= v;
  const cfg = loadConfig();
  const requested = process.argv.slice(2);
  const checks = requested.length
    ? Promise.resolve([true])
    : Promise.all([
        staticCheck('typecheck', 'tsc', ['--noEmit']),
        staticCheck('lint', 'eslint', ['.']),
        staticCheck('layers', 'depcruise', ['--config', '.dependency-cruiser.mjs', '.']),
        staticCheck('format', 'prettier', ['--check', '--log-level', 'warn', '.']),
      ]);

  let code = 1;
  try {
    // A run killed half-way may have left services behind: they are stopped before the wipe.
    await stackWipe(cfg);
    const files = requested.length ? requested : await testFiles();
    // The browser tests drive Debian's chromium: installed (or explained) only when they run.
    if (files.some((f) => path.resolve(ROOT, f).startsWith(path.join(ROOT, BROWSER_DIR, path.sep))))
      await ensureChromium();
    const t0 = performance.now();
    await stackUp(cfg);
    await provision(cfg);
    console.log(`[test] stack ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    code = await runNodeTests(files);
    if (!(await checks).every(Boolean)) code ||= 1;
  } catch (err) {
    console.error(`[test] ${(err as Error).message}`);
  } finally {
    await stackDown(cfg);
  }
  process.exit(code);
});
