// `npm test [-- files...]`: type-checks, lints, checks the layer map (npm run layers) and the
// formatting (Prettier) while the isolated test stack starts from a clean data dir and is provisioned;
// runs the unit, replay, workflow, integration, browser and fuzz tests with node's test runner, three files
// at a time: the ones that need no stack (unit, replay, workflow: its own Temporal) from the start, the
// ones that use the stack one at a time once it is up (test/helpers/stackLane.ts); then stops the stack. Chosen files run without the static checks
// (nor `npm audit --omit=dev`, scripts/npmAudit.ts).
// Exits non-zero if any check or test failed.
import { execFile, spawn } from 'node:child_process';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../platform/config.ts';
import { runMain } from '../platform/main.ts';
import { provision } from '../platform/provision.ts';
import { auditCheck } from './npmAudit.ts';
import { ensureChromium } from './stack/chromium.ts';
import { ROOT } from './stack/paths.ts';
import { stackDown, stackUp, stackWipe } from './stack/stack.ts';
import { ensureSchemathesis, ensureTools } from './stack/tools.ts';
import { TEST_PROFILE } from './test-profile.ts';
import { bundleWorkflows } from '../workers/run.ts';

// Files that need no stack first: they run while the stack starts.
const TEST_DIRS = ['test/unit', 'test/replay', 'test/workflow', 'test/integration', 'test/browser', 'test/fuzz'];
const BROWSER_DIR = 'test/browser';
const FUZZ_DIR = 'test/fuzz';

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

async function writeWorkflowBundle(file: string): Promise<void> {
  const { code } = await bundleWorkflows();
  await writeFile(file, code);
}

function startNodeTests(files: string[], readyFile: string, toolsFile: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'testFiles.ts'), ...files], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, RETAILFLOW_TEST_READY_FILE: readyFile, RETAILFLOW_TEST_TOOLS_FILE: toolsFile },
  });
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
  return { exited, stop: () => child.kill('SIGTERM') };
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
        auditCheck(),
      ]);

  let code = 1;
  // Written once the stack is up: the files that use it wait for it, the pure ones run meanwhile.
  const readyFile = path.join(tmpdir(), `retailflow-test-ready-${process.pid}`);
  // Written once the Temporal CLI is installed (at once but on a fresh clone) and the workflows are
  // bundled: the workflow tier waits for it.
  const toolsFile = path.join(tmpdir(), `retailflow-test-tools-${process.pid}`);
  // Every worker of every file loads this one bundle instead of bundling the workflows again (seconds each).
  const bundleFile = process.env.WORKFLOW_BUNDLE_PATH
    ? undefined
    : path.join(tmpdir(), `retailflow-test-workflows-${process.pid}.js`);
  if (bundleFile) process.env.WORKFLOW_BUNDLE_PATH = bundleFile;
  let tests: ReturnType<typeof startNodeTests> | undefined;
  try {
    const files = requested.length ? requested : await testFiles();
    // The browser tests drive Debian's chromium: installed (or explained) only when they run.
    if (files.some((f) => path.resolve(ROOT, f).startsWith(path.join(ROOT, BROWSER_DIR, path.sep))))
      await ensureChromium();
    const t0 = performance.now();
    tests = startNodeTests(files, readyFile, toolsFile);
    const fuzzing = files.some((f) => path.resolve(ROOT, f).startsWith(path.join(ROOT, FUZZ_DIR, path.sep)));
    // schemathesis installs (on the first run only) while the stack starts.
    await Promise.all([
      fuzzing && ensureSchemathesis(),
      (async () => {
        await Promise.all([
          ensureTools({ postgres: false, python: true }),
          bundleFile && writeWorkflowBundle(bundleFile),
        ]);
        await writeFile(toolsFile, '');
        // A run killed half-way may have left services behind: they are stopped before the wipe.
        await stackWipe(cfg);
        await stackUp(cfg);
        await provision(cfg);
      })(),
    ]);
    console.log(`[test] stack ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await writeFile(readyFile, '');
    code = await tests.exited;
    if (!(await checks).every(Boolean)) code ||= 1;
  } catch (err) {
    console.error(`[test] ${(err as Error).message}`);
    tests?.stop();
  } finally {
    await Promise.all([readyFile, toolsFile, bundleFile ?? ''].map((f) => rm(f, { force: true })));
    await stackDown(cfg);
  }
  process.exit(code);
});
