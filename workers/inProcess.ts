// Runs a real Temporal worker inside this process for the length of a callback: tests and benchmarks
// drive workflows against the stack without a worker process of their own.
import { NativeConnection, Worker } from '@temporalio/worker';
import { closeDeps, createDeps, type Deps } from '../activities/deps.ts';
import { createActivities } from '../activities/index.ts';
import type { Config } from '../platform/config.ts';
import { connectWorker, temporalDataConverter } from '../platform/temporal.ts';
import { workflowCode } from './run.ts';
import { HEARTBEAT_THROTTLE } from '../contracts/heartbeats.ts';

type Activities = ReturnType<typeof createActivities>;

/** `activities` may replace some of the real activities (a test's way to hold or break one step). */
export async function withWorker<T>(
  cfg: Config,
  taskQueue: string,
  fn: (deps: Deps) => Promise<T>,
  activities?: (real: Activities) => Partial<Activities>,
): Promise<T> {
  const connection: NativeConnection = await connectWorker(cfg.temporal);
  const deps = createDeps(cfg, 'retailflow-test-worker');
  try {
    const real = createActivities(deps);
    const worker = await Worker.create({
      connection,
      namespace: cfg.temporal.namespace,
      taskQueue,
      workflowBundle: await workflowCode(cfg.temporal),
      dataConverter: temporalDataConverter(cfg.temporal),
      activities: { ...real, ...activities?.(real) },
      maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
    });
    return await worker.runUntil(fn(deps));
  } finally {
    await connection.close();
    await closeDeps(deps);
  }
}
