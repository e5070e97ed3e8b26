// A few generated stores' sales under a product name only the calling test uses, trained by a real
// weeklyTraining: models, versions and stored 7-day forecasts that no other test touches.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Deps } from '../../activities/deps.ts';
import { DEFAULT_TRAINING, type TrainingReport } from '../../contracts/training.ts';
import type { Config } from '../../platform/config.ts';
import { generate } from '../../scripts/data/generate.ts';
import { importStores } from '../../platform/storeImport.ts';
import { importTrain } from '../../platform/salesImport.ts';
import { uniqueId } from './stack.ts';
import { withWorker } from '../../workers/inProcess.ts';

export interface SeriesFixture {
  product: string;
  stores: number;
  from: string;
  asOf: string;
  seed: number;
}

export async function trainedSeries(
  cfg: Config,
  deps: Deps,
  client: Client,
  f: SeriesFixture,
): Promise<TrainingReport> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `rf-${f.product}-`));
  generate([
    '--out',
    dir,
    '--stores',
    String(f.stores),
    '--products',
    '1',
    '--from',
    f.from,
    '--to',
    f.asOf,
    '--seed',
    String(f.seed),
  ]);
  await importStores(deps.pool, path.join(dir, 'store.csv'));
  await importTrain(deps, path.join(dir, 'train.csv'), { warehouse: false });
  // The generator names the product p01: renamed, so that no other test's series mix in.
  await deps.pool.query('DELETE FROM sales WHERE product = $1', [f.product]);
  await deps.pool.query(`UPDATE sales SET product = $1 WHERE product = 'p01' AND date BETWEEN $2 AND $3`, [
    f.product,
    f.from,
    f.asOf,
  ]);
  return withWorker(
    cfg,
    cfg.temporal.taskQueues.training,
    () =>
      client.workflow.execute('weeklyTraining', {
        workflowId: uniqueId(`${f.product}-training`),
        taskQueue: cfg.temporal.taskQueues.training,
        args: [{ ...DEFAULT_TRAINING, asOf: f.asOf, products: [f.product] }],
      }) as Promise<TrainingReport>,
  );
}
