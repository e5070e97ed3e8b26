// The workflow tier's Temporal: a dev server started by @temporalio/testing from the Temporal CLI
// the stack already installs (its own download needs the network), workers with mocked
// activities, and the workflow bundle built once per file. No Postgres, GCS or BigQuery.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, type Logger } from '@temporalio/worker';
import type { createActivities } from '../../activities/index.ts';
import { SEARCH_ATTRIBUTES } from '../../contracts/searchAttributes.ts';
import { loadConfig } from '../../platform/config.ts';
import { newPayloadKeyEntry } from '../../platform/payloadCodec.ts';
import { temporalDataConverter } from '../../platform/temporal.ts';
import { GO_BIN_DIR, VENV_DIR } from '../../scripts/stack/paths.ts';
import { workflowCode } from '../../workers/run.ts';
import { fileWritten } from '../helpers/stackLane.ts';

export type Activities = ReturnType<typeof createActivities>;

/** Where scripts/stack/tools.ts puts the CLI: the PyPI build, or the `go install` fallback. */
function temporalCli(): string {
  const candidates = [path.join(VENV_DIR, 'bin', 'temporal'), path.join(GO_BIN_DIR, 'temporal')];
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(`no Temporal CLI at ${candidates.join(' or ')}: run npm test or npm start once to install it`);
  return found;
}

/** Under `npm test` on a fresh clone the CLI is still being installed: wait for the runner's word. */
async function toolsInstalled(file = process.env.RETAILFLOW_TEST_TOOLS_FILE): Promise<void> {
  if (file) await fileWritten(file);
}

let runtimeQuiet = false;

const temporalConfig = loadConfig({ PAYLOAD_KEYS: newPayloadKeyEntry('workflow-tests') }).temporal;
/** Payloads cross the test server encrypted, as they do in production. */
const dataConverter = temporalDataConverter(temporalConfig);

/** `logger` takes the SDK's logs instead (once per process, before the first start). */
export async function startTestTemporal(logger?: Logger): Promise<TestWorkflowEnvironment> {
  await toolsInstalled();
  if (!runtimeQuiet) {
    // Failed and cancelled activities are what these tests provoke: only errors are worth printing.
    Runtime.install({ logger: logger ?? new DefaultLogger('ERROR') });
    runtimeQuiet = true;
  }
  return TestWorkflowEnvironment.createLocal({
    client: { dataConverter },
    server: {
      executable: { type: 'existing-path', path: temporalCli() },
      log: { format: 'pretty', level: 'error' },
      searchAttributes: SEARCH_ATTRIBUTES,
    },
  });
}

let bundle: ReturnType<typeof workflowCode> | undefined;

/** Runs `body` while a worker with these mocked activities serves a fresh task queue. */
export async function withWorker<T>(
  env: TestWorkflowEnvironment,
  activities: Partial<Activities>,
  body: (taskQueue: string) => Promise<T>,
): Promise<T> {
  // Under `npm test`, the bundle the runner built once (WORKFLOW_BUNDLE_PATH).
  bundle ??= workflowCode(temporalConfig);
  const taskQueue = `test-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundle,
    activities,
    dataConverter,
    // Activity cancels arrive with heartbeat answers: sent at once here, not every 24 s.
    maxHeartbeatThrottleInterval: '20 milliseconds',
    defaultHeartbeatThrottleInterval: '20 milliseconds',
    // A failed test leaves mocked activities waiting forever: stop anyway, so it fails instead of hanging.
    shutdownForceTime: '2 seconds',
  });
  return worker.runUntil(body(taskQueue));
}

/** A mocked activity that keeps heartbeating until its workflow cancels it, then fails as cancelled. */
export async function untilCancelled(): Promise<never> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), 20);
  try {
    return await ctx.cancelled;
  } finally {
    clearInterval(timer);
  }
}
