// Runs Temporal workers for the given task queues in this process, sharing one connection,
// one workflow bundle and one set of activity dependencies. Stops cleanly on SIGINT/SIGTERM.
import path from 'node:path';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import { closeDeps, createDeps } from '../activities/deps.ts';
import { createActivities } from '../activities/index.ts';
import { config, TASK_QUEUES, type Config, type TaskQueueName } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import { HEARTBEAT_THROTTLE } from '../contracts/heartbeats.ts';
import { connectClient, connectWorker, FAILURE_CONVERTER_PATH, temporalDataConverter } from '../platform/temporal.ts';
import { ensureSchedules } from '../platform/schedules.ts';
import { ensureSearchAttributes } from '../platform/searchAttributes.ts';
import { freeLoopbackPort, serveMetrics } from '../platform/metricsServer.ts';
import { watchTemporal } from '../platform/temporalGauges.ts';
import { sdkLogger, workerLogger } from './sdkLogger.ts';

export const WORKFLOWS_PATH = path.resolve(import.meta.dirname, '../workflows/index.ts');

/**
 * The workflows bundled for a worker (what an image or `npm test` builds once and writes to a file),
 * with the failure converter of temporalDataConverter: a prebuilt bundle carries its own.
 */
export const bundleWorkflows = () =>
  bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });

/** An image (or `npm test`) carries the bundle it built once; elsewhere the workflows are bundled at start. */
export const workflowCode = async (cfg: Pick<Config['temporal'], 'workflowBundlePath'>) =>
  cfg.workflowBundlePath ? { codePath: cfg.workflowBundlePath } : await bundleWorkflows();

// Each queue gets its own slots so that a weekly training run never delays an interactive retrain.
const QUEUE_SETTINGS: Record<TaskQueueName, Partial<WorkerOptions>> = {
  ingest: { maxConcurrentActivityTaskExecutions: 8, maxConcurrentWorkflowTaskExecutions: 20 },
  // Training shards fit in the worker's thread pool: several in flight keep it busy while others read or write.
  training: { maxConcurrentActivityTaskExecutions: 8, maxConcurrentWorkflowTaskExecutions: 20 },
  interactive: { maxConcurrentActivityTaskExecutions: 4, maxConcurrentWorkflowTaskExecutions: 10 },
};

const START_RETRY_MS = { first: 500, max: 10_000 };

/** Connects to Temporal, waiting (with backoff, logged once) while it cannot be reached: a worker started during an outage starts after it. */
async function connectWhenReachable(cfg: Config, log: Logger): Promise<NativeConnection> {
  for (let wait = START_RETRY_MS.first, logged = false; ; wait = Math.min(wait * 2, START_RETRY_MS.max)) {
    try {
      const connection = await connectWorker(cfg.temporal);
      if (logged) log.info({ dependency: 'temporal' }, 'temporal reachable; starting the workers');
      return connection;
    } catch (err) {
      if (!logged)
        log.warn(
          { dependency: 'temporal', address: cfg.temporal.address, error: (err as Error).message },
          'temporal unavailable; waiting for it',
        );
      logged = true;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/**
 * The recurring runs' schedules: created or updated by every worker at start-up, so any deployment
 * has them. A failure is only logged: the schedules are there from an earlier start, or the next.
 */
async function registerSchedules(cfg: Config, log: Logger): Promise<void> {
  try {
    const client = await connectClient(cfg.temporal);
    try {
      log.info({ schedules: await ensureSchedules(client, cfg) }, 'schedules registered');
    } finally {
      await client.connection.close();
    }
  } catch (err) {
    log.warn({ error: (err as Error).message }, 'could not register the schedules now');
  }
}

/**
 * The workflows' search attributes, added to the namespace where missing (a real cluster; the dev
 * server has them by flag). Only logged when it fails (Temporal Cloud adds them through its own
 * API): a workflow that sets one the namespace lacks waits in retried workflow tasks until it is added.
 */
async function registerSearchAttributes(cfg: Config, log: Logger): Promise<void> {
  try {
    const client = await connectClient(cfg.temporal);
    try {
      const added = await ensureSearchAttributes(client, cfg.temporal.namespace);
      if (added.length) log.info({ searchAttributes: added }, 'search attributes registered');
    } finally {
      await client.connection.close();
    }
  } catch (err) {
    log.warn({ error: (err as Error).message }, 'could not register the search attributes');
  }
}

export async function runWorkers(queues: TaskQueueName[]): Promise<void> {
  const cfg = config();
  const log = workerLogger(cfg.logLevel);
  const sdkMetricsPort = await freeLoopbackPort();
  Runtime.install({
    logger: sdkLogger(log),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      // Seconds and _total suffixes, as Prometheus names them; served inside our /metrics.
      metrics: {
        prometheus: {
          bindAddress: `127.0.0.1:${sdkMetricsPort}`,
          countersTotalSuffix: true,
          unitSuffix: true,
          useSecondsForDurations: true,
        },
      },
    },
  });
  const metricsServer = await serveMetrics(
    cfg.metrics.host,
    cfg.metrics.workerPort,
    log,
    `http://127.0.0.1:${sdkMetricsPort}/metrics`,
  );
  const deps = createDeps(cfg, `retailflow-worker-${queues.join('-')}`, log);
  const activities = createActivities(deps);
  if (queues.includes('training')) deps.fitPool.start();
  const dataConverter = temporalDataConverter(cfg.temporal);
  const workflowBundle = await workflowCode(cfg.temporal);
  const connection = await connectWhenReachable(cfg, log);
  const gaugeClient = await connectClient(cfg.temporal);
  watchTemporal(gaugeClient, cfg);
  try {
    await registerSearchAttributes(cfg, log);
    await registerSchedules(cfg, log);
    const workers = await Promise.all(
      queues.map((queue) =>
        Worker.create({
          connection,
          namespace: cfg.temporal.namespace,
          taskQueue: TASK_QUEUES[queue],
          workflowBundle,
          activities,
          dataConverter,
          maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
          ...QUEUE_SETTINGS[queue],
        }),
      ),
    );
    log.info({ queues, address: cfg.temporal.address }, 'workers polling');
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
    await gaugeClient.connection.close();
    await metricsServer.close();
    await closeDeps(deps);
    log.info('workers stopped');
  }
}

export function parseQueues(arg: string | undefined): TaskQueueName[] {
  const names = (arg ?? Object.keys(TASK_QUEUES).join(',')).split(',').map((q) => q.trim());
  const unknown = names.filter((q) => !(q in TASK_QUEUES));
  if (unknown.length)
    throw new Error(`unknown task queue(s): ${unknown.join(', ')}; expected ${Object.keys(TASK_QUEUES).join(', ')}`);
  return names as TaskQueueName[];
}
