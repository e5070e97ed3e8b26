import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT, stackDirs } from '../../scripts/stack/paths.ts';
import { instanceFile } from '../../scripts/stack/instance.ts';
import { isAlive, stopProcess } from '../../scripts/stack/processes.ts';
import { freePort, testConfig } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';

// Real processes throughout: test/helpers/supervisedStack.ts is `npm start` built from the same
// parts, with a real GCS emulator and two small Node children (alpha, beta) in its own data dir.
const FIXTURE = path.join(ROOT, 'test/helpers/supervisedStack.ts');
const ESC = '\x1b';

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Run {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => out, exit };
}

const runFixture = (env: NodeJS.ProcessEnv) => run(process.execPath, ['--import', 'tsx', FIXTURE], env);

/** Waiting on a run: giving up shows its output. */
const withOutput = (r: Run) => ({ context: () => `output:\n${r.output()}` });

/** The exit code of a run that was told to stop; fails (instead of hanging) when it does not stop. */
async function exitCode(r: Run, what: string, timeoutMs = 60_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not exit; output:\n${r.output()}`)), timeoutMs);
  });
  try {
    return await Promise.race([r.exit, gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}

async function livePid(runDir: string, name: string): Promise<number | undefined> {
  const file = path.join(runDir, `${name}.pid`);
  if (!existsSync(file)) return undefined;
  const pid = Number((await readFile(file, 'utf8')).trim());
  return pid > 0 && isAlive(pid) ? pid : undefined;
}

describe('supervised local stack (npm start)', () => {
  const dirs: string[] = [];
  const runs: Run[] = [];
  // After a failure, nothing is left running: the runs, a fixture npm started, its children, GCS.
  after(async () => {
    for (const r of runs) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    for (const dir of dirs) {
      const runDir = stackDirs(dir).run;
      const holder = existsSync(instanceFile(runDir))
        ? (JSON.parse(await readFile(instanceFile(runDir), 'utf8')) as { pid: number }).pid
        : 0;
      if (holder && isAlive(holder)) process.kill(holder, 'SIGKILL');
      for (const name of ['alpha', 'beta', 'gcs']) await stopProcess(runDir, name, 'SIGKILL');
    }
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function fixtureEnv(): Promise<NodeJS.ProcessEnv> {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rf-supervisor-'));
    dirs.push(dataDir);
    const base = testConfig();
    return {
      ...process.env,
      RETAILFLOW_DATA_DIR: dataDir,
      GCS_PORT: String(await freePort()),
      API_PORT: String(await freePort()),
      TEMPORAL_ADDRESS: base.temporal.address,
      DATABASE_URL: base.postgres.url,
      BIGQUERY_ENDPOINT: base.bigquery.endpoint!,
      PROMETHEUS_URL: base.metrics.prometheusUrl,
    };
  }

  async function startFixture(
    env: NodeJS.ProcessEnv,
    runner = runFixture,
  ): Promise<{ run: Run; runDir: string; pids: Record<string, number> }> {
    const r = runner(env);
    runs.push(r);
    await until(
      'the fixture to be ready',
      () => (r.output().includes('[start] ready') ? true : undefined),
      withOutput(r),
    );
    const runDir = stackDirs(env.RETAILFLOW_DATA_DIR!).run;
    const pids: Record<string, number> = {};
    for (const name of ['gcs', 'alpha', 'beta'])
      pids[name] = await until(`${name}'s pid`, () => livePid(runDir, name), withOutput(r));
    return { run: r, runDir, pids };
  }

  function assertAllStopped(runDir: string, pids: number[]): void {
    for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} still running`);
    assert.equal(existsSync(path.join(runDir, 'start.json')), false, 'the instance file is left behind');
  }

  it('restarts what dies (a child, a service on its data), leaves the others alone, and a SIGINT stops all with exit 0', async () => {
    const env = await fixtureEnv();
    const { run: r, runDir, pids } = await startFixture(env);
    const gcsUrl = `http://127.0.0.1:${env.GCS_PORT}`;

    await until(
      'alpha to say it is up',
      () => (r.output().includes(`alpha up${ESC}[0m pid ${pids.alpha}`) ? true : undefined),
      withOutput(r),
    );
    process.kill(pids.alpha!, 'SIGKILL');
    const alpha = await until(
      'alpha to be restarted',
      async () => {
        const pid = await livePid(runDir, 'alpha');
        return pid && pid !== pids.alpha ? pid : undefined;
      },
      withOutput(r),
    );
    assert.match(r.output(), /\[start\] alpha exited \(SIGKILL\); restarting in 100 ms \(restart 1\)\n/);
    assert.equal(await livePid(runDir, 'beta'), pids.beta);
    assert.equal(await livePid(runDir, 'gcs'), pids.gcs);

    const bucket = await fetch(`${gcsUrl}/storage/v1/b?project=test`, {
      method: 'POST',
      body: JSON.stringify({ name: 'kept' }),
    });
    assert.equal(bucket.status, 200);
    process.kill(pids.gcs!, 'SIGKILL');
    const gcs = await until(
      'gcs to be restarted',
      async () => {
        const pid = await livePid(runDir, 'gcs');
        return pid && pid !== pids.gcs ? pid : undefined;
      },
      withOutput(r),
    );
    assert.match(r.output(), /\[start\] gcs exited \(SIGKILL\); restarting in 100 ms \(restart 1\)\n/);
    const buckets = await until(
      'gcs to answer',
      () =>
        fetch(`${gcsUrl}/storage/v1/b`).then(
          async (res) =>
            res.ok ? ((await res.json()) as { items?: { name: string }[] }).items?.map((b) => b.name) : undefined,
          () => undefined,
        ),
      withOutput(r),
    );
    assert.ok(buckets.includes('kept'), `bucket lost in the restart: ${buckets.join(', ')}`);
    assert.equal(await livePid(runDir, 'alpha'), alpha);
    assert.equal(await livePid(runDir, 'beta'), pids.beta);

    r.child.kill('SIGINT');
    assert.equal(await exitCode(r, 'the fixture after SIGINT'), 0, r.output());
    assert.match(r.output(), /\[start\] stopped\n/);
    assertAllStopped(runDir, [alpha, pids.beta!, gcs]);

    // Each child's output, from every start, without the colour codes it printed.
    const alphaLog = await readFile(path.join(stackDirs(env.RETAILFLOW_DATA_DIR!).logs, 'alpha.log'), 'utf8');
    assert.match(
      alphaLog,
      new RegExp(`^alpha up pid ${pids.alpha}\n(.*\n)*alpha up pid ${alpha}$`, 'm'),
      JSON.stringify(alphaLog),
    );
    assert.match(alphaLog, /^alpha on stderr$/m);
    assert.equal(alphaLog.includes(ESC), false, 'colour codes in alpha.log');
    assert.ok(r.output().includes(`${ESC}[32malpha up`), 'the terminal keeps the colour');
  });

  it('a second start in the same data dir (the fixture, and the real `npm start`) names the running one and exits 0', async () => {
    const env = await fixtureEnv();
    const { run: first, runDir, pids } = await startFixture(env);
    const pid = first.child.pid!;
    for (const second of [runFixture(env), run('npm', ['start'], env)]) {
      runs.push(second);
      assert.equal(await exitCode(second, 'a second start'), 0, second.output());
      assert.match(second.output(), new RegExp(`already running from this data dir .*: pid ${pid}`));
      assert.ok(second.output().includes(`http://127.0.0.1:${env.API_PORT}/`), second.output());
    }
    assert.equal(await livePid(runDir, 'alpha'), pids.alpha);
    first.child.kill('SIGTERM');
    assert.equal(await exitCode(first, 'the fixture after SIGTERM'), 0, first.output());
    assertAllStopped(runDir, Object.values(pids));
  });

  it('a run killed with SIGKILL is taken over: its children are stopped and started anew, its service is stopped at the end', async () => {
    const env = await fixtureEnv();
    const { run: killed, runDir, pids } = await startFixture(env);
    killed.child.kill('SIGKILL');
    await exitCode(killed, 'the fixture after SIGKILL');
    const { run: next, pids: nextPids } = await startFixture(env);
    assert.match(
      next.output(),
      new RegExp(`earlier run \\(pid ${killed.child.pid}\\) ended without stopping; taking over`),
    );
    assert.equal(isAlive(pids.alpha!), false);
    assert.equal(isAlive(pids.beta!), false);
    assert.equal(nextPids.gcs, pids.gcs, 'the service it left running is reused');
    next.child.kill('SIGTERM');
    assert.equal(await exitCode(next, 'the fixture after SIGTERM'), 0, next.output());
    assertAllStopped(runDir, Object.values(nextPids));
  });

  it('SIGINT to the npm process alone (the chain `npm start` uses) stops everything and exits 0', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
    assert.match(pkg.scripts.start, /scripts\/start\.ts/);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-npm-'));
    dirs.push(dir);
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: 'npm-chain',
        private: true,
        type: 'module',
        scripts: { start: pkg.scripts.start.replace('scripts/start.ts', FIXTURE) },
      }),
    );
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const env = await fixtureEnv();
    const { run: npm, runDir, pids } = await startFixture(env, (e) => run('npm', ['start'], e, dir));
    process.kill(npm.child.pid!, 'SIGINT');
    assert.equal(await exitCode(npm, 'npm after SIGINT to it alone'), 0, npm.output());
    assertAllStopped(runDir, Object.values(pids));
  });
});
