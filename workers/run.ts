// Runs Temporal workers for the given task queues in this process, sharing one connection,
// one workflow bundle and one set of activity dependencies. Stops cleanly on SIGINT/SIGTERM.
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkerOptions } from '@temporalio/worker';
import { closeDeps, createDeps } from '../activities/deps.ts';
import { createActivities } from '../activities/index.ts';
import { config, TASK_QUEUES, type TaskQueueName } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { connectWorker } from '../platform/temporal.ts';

export const WORKFLOWS_PATH = path.resolve(import.meta.dirname, '../workflows/index.ts');

// Each queue gets its own slots so that a weekly training run never delays an interactive retrain.
const QUEUE_SETTINGS: Record<TaskQueueName, Partial<WorkerOptions>> = {
  ingest: { maxConcurrentActivityTaskExecutions: 8, maxConcurrentWorkflowTaskExecutions: 20 },
  // Training shards fit in the worker's thread pool: several in flight keep it busy while others read or write.
  training: { maxConcurrentActivityTaskExecutions: 8, maxConcurrentWorkflowTaskExecutions: 20 },
  interactive: { maxConcurrentActivityTaskExecutions: 4, maxConcurrentWorkflowTaskExecutions: 10 },
};

export async function runWorkers(queues: TaskQueueName[]): Promise<void> {
  const cfg = config();
  const log = createLogger('worker', cfg.logLevel);
  const connection = await connectWorker(cfg.temporal);
  const deps = createDeps(cfg, `retailflow-worker-${queues.join('-')}`);
  const activities = createActivities(deps);
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  try {
    const workers = await Promise.all(queues.map((queue) => Worker.create({
      connection,
      namespace: cfg.temporal.namespace,
      taskQueue: TASK_QUEUES[queue],
      workflowBundle,
      activities,
      ...QUEUE_SETTINGS[queue],
    })));
    log.info({ queues, address: cfg.temporal.address }, 'workers polling');
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
    await closeDeps(deps);
    log.info('workers stopped');
  }
}

export function parseQueues(arg: string | undefined): TaskQueueName[] {
  const names = (arg ?? Object.keys(TASK_QUEUES).join(',')).split(',').map((q) => q.trim());
  const unknown = names.filter((q) => !(q in TASK_QUEUES));
  if (unknown.length) throw new Error(`unknown task queue(s): ${unknown.join(', ')}; expected ${Object.keys(TASK_QUEUES).join(', ')}`);
  return names as TaskQueueName[];
}
