// Fuzzes every operation of the API from its own OpenAPI document with schemathesis, against the
// real stack, with the checks in schemathesis.toml: no answer may be a 5xx, every status must be
// documented and every documented answer must match its schema; schema-violating requests and
// mutating ones without a key must be refused, and undeclared methods get 405.
// Bounded: a fixed seed and a few cases per operation, so a failure reproduces and the file stays
// short. The workflows it starts go to a Temporal namespace of its own, where no worker polls.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerType } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps, startServer } from '../../api/server.ts';
import { SEARCH_ATTRIBUTES } from '../../contracts/searchAttributes.ts';
import { ensureSearchAttributes } from '../../platform/searchAttributes.ts';
import { temporalConnectionOptions } from '../../platform/temporal.ts';
import { FUZZ_VENV_DIR } from '../../scripts/stack/paths.ts';
import { freePort, testConfig } from '../helpers/stack.ts';
import { fileWritten } from '../helpers/stackLane.ts';
import { until } from '../helpers/until.ts';

const ADMIN = 'admin-key-for-the-api-fuzzer';
const NAMESPACE = 'retailflow-fuzz';
const CASES_PER_OPERATION = 5;
// Kept after the run (CI can upload it): every failing case with the curl command that repeats it.
const REPORTS = path.resolve(import.meta.dirname, '../../test-results/fuzz');

function schemathesis(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    // In the reports' folder: schemathesis keeps a cache (.schemathesis/) where it runs.
    const child = spawn(path.join(FUZZ_VENV_DIR, 'bin', 'st'), args, {
      cwd: REPORTS,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The fuzzer's namespace with the search attributes the API's starts set (a worker would register them). */
async function ensureNamespace(cfg: ReturnType<typeof testConfig>): Promise<void> {
  const connection = await Connection.connect(temporalConnectionOptions(cfg.temporal));
  try {
    await connection.workflowService.registerNamespace({
      namespace: NAMESPACE,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
  } catch (err) {
    if (!/already exists/i.test((err as Error).message)) throw err;
  }
  try {
    const client = new Client({ connection, namespace: NAMESPACE });
    // A new namespace reaches the server's caches within seconds.
    await until(`search attributes in ${NAMESPACE}`, async () => {
      await ensureSearchAttributes(client, NAMESPACE);
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
      return SEARCH_ATTRIBUTES.every((k) => customAttributes[k.name] !== undefined);
    });
  } finally {
    await connection.close();
  }
}

describe('the API under schemathesis, from its own OpenAPI document', () => {
  let deps: ApiDeps;
  let server: ServerType;
  let base: string;

  before(async () => {
    const port = await freePort();
    const cfg = testConfig({
      API_PORT: String(port),
      API_KEYS: `fuzz:admin:${ADMIN}`,
      TEMPORAL_NAMESPACE: NAMESPACE,
      // A generous retrain limit: the fuzzer's 429s would only hide the answers behind them.
      API_RETRAINS_PER_MINUTE: '10000',
    });
    // Under `npm test` on a first run, schemathesis is still being installed.
    const fuzzTools = process.env.RETAILFLOW_TEST_FUZZ_TOOLS_FILE;
    if (fuzzTools) await fileWritten(fuzzTools);
    await ensureNamespace(cfg);
    deps = createApiDeps(cfg);
    server = await startServer(deps);
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    server?.close();
    if (deps) await closeApiDeps(deps);
  });

  it('answers every generated request without a 5xx and as documented', async (t) => {
    await mkdir(REPORTS, { recursive: true });
    const junit = path.join(REPORTS, 'junit.xml');
    const { code, output } = await schemathesis([
      '--config-file',
      path.join(import.meta.dirname, 'schemathesis.toml'),
      'run',
      `${base}/openapi.json`,
      '--header',
      `Authorization: Bearer ${ADMIN}`,
      '--max-examples',
      String(CASES_PER_OPERATION),
      '--seed',
      '20261202',
      '--phases',
      'examples,coverage,fuzzing',
      '--suppress-health-check',
      'all',
      '--request-timeout',
      '30',
      '--no-shrink',
      '--generation-database',
      'none',
      '--report',
      'junit',
      '--report-junit-path',
      junit,
    ]);
    const tested = ((await readFile(junit, 'utf8').catch(() => '')).match(/<testcase /g) ?? []).length;
    assert.ok(tested > 0, `schemathesis tested no operation:\n${output.slice(-4000)}`);
    assert.equal(code, 0, `schemathesis found failures (all of them in ${junit}):\n${output.slice(-12000)}`);
    t.diagnostic(output.slice(output.lastIndexOf('SUMMARY')));
  });
});
