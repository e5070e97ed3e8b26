// `npm run bench:stack [-- --skip-cold] [--runs 50]`: how long the local stack takes to get ready,
// and the stackCheck round trip through Temporal, Postgres, GCS and BigQuery.
//   cold: a fresh clone of this repo with nothing installed (no node_modules, no .tools) -> ready
//         (package caches of npm and pip on this machine still count as warm: said in the result)
//   warm: services stopped, tools installed, data dir kept -> ready
//   stackCheck: p50/p95 of start-to-result over N runs with an in-process worker
// One JSON line per result on stdout, all of them in bench/results/stack.json.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config.ts';
import { provision } from '../platform/provision.ts';
import { connectClient } from '../platform/temporal.ts';
import { ROOT } from '../scripts/stack/paths.ts';
import { stackDown, stackUp, stackWipe } from '../scripts/stack/stack.ts';
import { withWorker } from '../workers/inProcess.ts';
import { stackCheck } from '../workflows/stackCheck.ts';
import { BENCH_ENV } from './profile.ts';
import { benchResults } from './results.ts';

const { values: args } = parseArgs({
  options: { 'skip-cold': { type: 'boolean', default: false }, runs: { type: 'string', default: '50' } },
});

Object.assign(process.env, BENCH_ENV);
const cfg = loadConfig();

const { report, save } = benchResults('stack');

const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(2));

async function coldStart(): Promise<void> {
  const dir = execFileSync('mktemp', ['-d', path.join(os.tmpdir(), 'retailflow-cold-XXXX')])
    .toString()
    .trim();
  try {
    execFileSync('git', ['clone', '-q', ROOT, dir]);
    const t0 = performance.now();
    const env = { ...process.env, ...BENCH_ENV, RETAILFLOW_DATA_DIR: path.join(dir, '.data/bench') };
    const up = spawnSync('npm', ['run', 'stack', '--', 'up'], { cwd: dir, env, stdio: 'inherit' });
    if (up.status !== 0) throw new Error('cold `npm run stack -- up` failed');
    const migrate = spawnSync('npm', ['run', 'migrate'], { cwd: dir, env, stdio: 'inherit' });
    if (migrate.status !== 0) throw new Error('cold `npm run migrate` failed');
    report({
      name: 'cold_setup_to_ready_s',
      value: seconds(t0),
      note: 'fresh clone: npm ci + pip installs + initdb + services healthy + provisioned; npm/pip download caches were warm',
    });
    await stackWipe(loadConfig(env));
  } finally {
    execFileSync('rm', ['-rf', dir]);
  }
}

async function warmStart(): Promise<void> {
  await stackUp(cfg);
  await provision(cfg);
  await stackDown(cfg);
  const t0 = performance.now();
  await stackUp(cfg);
  await provision(cfg);
  report({
    name: 'warm_start_to_ready_s',
    value: seconds(t0),
    note: 'tools installed, data dir kept, all four services stopped before',
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function stackCheckRoundTrip(runs: number): Promise<void> {
  const client = await connectClient(cfg.temporal);
  const taskQueue = `bench-stack-check-${Date.now()}`;
  try {
    const latencies = await withWorker(cfg, taskQueue, async () => {
      await client.workflow.execute(stackCheck, { workflowId: `${taskQueue}-warmup`, taskQueue });
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const result = await client.workflow.execute(stackCheck, { workflowId: `${taskQueue}-${i}`, taskQueue });
        out.push(performance.now() - t0);
        if (result.counts.postgres !== 1 || result.counts.gcs !== 1 || result.counts.bigquery !== 1) {
          throw new Error(`stackCheck ${i} counted ${JSON.stringify(result.counts)}`);
        }
      }
      return out;
    });
    const sorted = [...latencies].sort((a, b) => a - b);
    const ms = (v: number) => Number(v.toFixed(1));
    report({
      name: 'stack_check_round_trip_ms',
      runs,
      p50: ms(percentile(sorted, 50)),
      p95: ms(percentile(sorted, 95)),
      max: ms(sorted.at(-1)!),
    });
  } finally {
    await client.connection.close();
  }
}

try {
  await stackWipe(cfg);
  if (!args['skip-cold']) await coldStart();
  await warmStart();
  await stackCheckRoundTrip(Number(args.runs));
} finally {
  await stackDown(cfg);
}
await save();
