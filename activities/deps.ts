// What activities need from the outside world, created once per worker process: the data stores
// and the threads that fit models.
import type { Config } from '../platform/config.ts';
import { closeDataDeps, createDataDeps, type DataDeps } from '../platform/deps.ts';
import type { Logger } from '../platform/logger.ts';
import { armProphet } from '../platform/prophetWasm.ts';
import { FitPool } from './training/fitPool.ts';

export interface Deps extends DataDeps {
  fitPool: FitPool;
}

export function createDeps(cfg: Config, applicationName: string, log?: Logger): Deps {
  // The retrain activity fits in this thread.
  armProphet();
  return { ...createDataDeps(cfg, applicationName, log), fitPool: new FitPool() };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await Promise.all([closeDataDeps(deps), deps.fitPool.close()]);
}
