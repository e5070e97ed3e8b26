// `npm test [-- files...]`: type-checks, lints, checks the layer map (npm run layers) and the
// formatting (Prettier) while the isolated test stacks start from clean data dirs and are provisioned;
// runs the unit, replay, workflow, integration, browser and fuzz tests with node's test runner: the
// files that need no stack (unit, replay, workflow: its own Temporal) from the start, the ones that use
// a stack one per stack lane (TEST_LANES, default 2: test/helpers/stackLane.ts) once it is up; then
// stops the stacks. Chosen files run without the static checks (nor `npm audit --omit=dev`,
// scripts/npmAudit.ts). Exits non-zero if any check or test failed.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../platform/config.ts';
import { runMain } from '../platform/main.ts';
import { provision } from '../platform/provision.ts';
import { auditCheck } from './npmAudit.ts';
import { ensureChromium } from './stack/chromium.ts';
import { ROOT } from './stack/paths.ts';
import { stackDown, stackUp, stackWipe } from './stack/stack.ts';
import { ensureSchemathesis, ensureTools } from './stack/tools.ts';
import { laneEnv, laneFile, TEST_PROFILE } from './test-profile.ts';
import { bundleWorkflows } from '../workers/run.ts';

// Files that need no stack first: they run while the stack starts.
const TEST_DIRS = ['test/unit', 'test/replay', 'test/workflow', 'test/integration', 'test/browser', 'test/fuzz'];
const BROWSER_DIR = 'test/browser';
const FUZZ_DIR = 'test/fuzz';
const STACK_DIRS = ['test/integration', BROWSER_DIR, FUZZ_DIR];
// Two stacks: while one file waits on a stack (a kill -9 being noticed, a heartbeat timing out) another
// computes on the other. More lanes than cores only add contention.
const DEFAULT_LANES = 2;

const inDir = (file: string, dir: string) => path.resolve(ROOT, file).startsWith(path.join(ROOT, dir, path.sep));

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

/** Starts (after a wipe) and provisions one lane's stack, then tells the waiting files it is up. */
async function laneUp(lanesDir: string, lane: number): Promise<Config> {
  const env = laneEnv(process.env, lane);
  const cfg = loadConfig({ ...process.env, ...env });
  // A run killed half-way may have left services behind: they are stopped before the wipe.
  await stackWipe(cfg);
  await stackUp(cfg);
  await provision(cfg);
  const file = laneFile(lanesDir, lane);
  await writeFile(`${file}.tmp`, JSON.stringify(env));
  await rename(`${file}.tmp`, file);
  return cfg;
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

function startNodeTests(files: string[], lanesDir: string, lanes: number, toolsFile: string, fuzzToolsFile: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'testFiles.ts'), ...files], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      RETAILFLOW_TEST_LANES_DIR: lanesDir,
      RETAILFLOW_TEST_TOOLS_FILE: toolsFile,
      RETAILFLOW_TEST_FUZZ_TOOLS_FILE: fuzzToolsFile,
      // Every lane busy, and the next file's modules loading meanwhile.
      RETAILFLOW_TEST_CONCURRENCY: String(lanes + 1),
    },
  });
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
  return { exited, stop: () => child.kill('SIGTERM') };
}

runMain('test', async () => {
  for (const [k, v] of Object.entries(TEST_PROFILE)) process.env[k] ??= v;
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
  // Each lane's file is written there once its stack is up: the files that use a stack wait for one,
  // the pure ones run meanwhile.
  const lanesDir = await mkdtemp(path.join(tmpdir(), 'retailflow-test-lanes-'));
  // Written once the Temporal CLI is installed (at once but on a fresh clone) and the workflows are
  // bundled: the workflow tier waits for it.
  const toolsFile = path.join(tmpdir(), `retailflow-test-tools-${process.pid}`);
  // Written once schemathesis is installed: the fuzz file waits for it (it may get a stack first).
  const fuzzToolsFile = path.join(tmpdir(), `retailflow-test-fuzz-tools-${process.pid}`);
  // Every worker of every file loads this one bundle instead of bundling the workflows again (seconds each).
  const bundleFile = process.env.WORKFLOW_BUNDLE_PATH
    ? undefined
    : path.join(tmpdir(), `retailflow-test-workflows-${process.pid}.js`);
  if (bundleFile) process.env.WORKFLOW_BUNDLE_PATH = bundleFile;
  let tests: ReturnType<typeof startNodeTests> | undefined;
  const stacks: Config[] = [];
  try {
    const files = requested.length ? requested : await testFiles();
    const stackFiles = files.filter((f) => STACK_DIRS.some((d) => inDir(f, d))).length;
    const lanes = Math.max(1, Math.min(Number(process.env.TEST_LANES ?? DEFAULT_LANES), stackFiles));
    // The browser tests drive Debian's chromium: installed (or explained) only when they run.
    if (files.some((f) => inDir(f, BROWSER_DIR))) await ensureChromium();
    const t0 = performance.now();
    tests = startNodeTests(files, lanesDir, lanes, toolsFile, fuzzToolsFile);
    // schemathesis installs (on the first run only) while the stacks start.
    await Promise.all([
      files.some((f) => inDir(f, FUZZ_DIR)) && ensureSchemathesis().then(() => writeFile(fuzzToolsFile, '')),
      (async () => {
        await Promise.all([
          ensureTools({ postgres: false, python: true }),
          bundleFile && writeWorkflowBundle(bundleFile),
        ]);
        await writeFile(toolsFile, '');
        // One lane after the other: the first files start on the first stack while the next one starts.
        for (let lane = 0; lane < lanes; lane++) {
          stacks.push(await laneUp(lanesDir, lane));
          console.log(`[test] stack lane ${lane} ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        }
      })(),
    ]);
    code = await tests.exited;
    if (!(await checks).every(Boolean)) code ||= 1;
  } catch (err) {
    console.error(`[test] ${(err as Error).message}`);
    tests?.stop();
  } finally {
    await Promise.all(
      [lanesDir, toolsFile, fuzzToolsFile, bundleFile ?? ''].map((f) => rm(f, { recursive: true, force: true })),
    );
    await Promise.all(stacks.map((cfg) => stackDown(cfg)));
  }
  process.exit(code);
});
