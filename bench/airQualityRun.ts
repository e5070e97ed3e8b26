// bench:tabular's air-quality step: airQualityTraining end to end through Temporal on the real
// file's size (9,357 generated hours written to air_quality beforehand: the import is not timed),
// with the window set so the run takes the largest one (training on March 2004 - March 2005,
// testing on April 2005): seconds, seconds per step of its training, the choice, the test month's
// RMSE and MAE next to the same-hour-yesterday baseline.
import type { Client } from '@temporalio/client';
import type { AirQualityTrainingResult } from '../contracts/airQuality.ts';
import { AIR_QUALITY_MODEL } from '../contracts/airQuality.ts';
import { parseAirQualityFile } from '../domain/airQuality.ts';
import { saveAirQualityFile } from '../platform/airQuality.ts';
import type { Config } from '../platform/config.ts';
import type { Pool } from '../platform/postgres.ts';
import { DEFAULT_AIR_QUALITY_OPTIONS, generateAirQuality } from '../scripts/data/airQualityGenerator.ts';
import type { BenchReport } from './results.ts';
import { stepSeconds } from './workflowSteps.ts';

const round = (v: number, digits = 2) => Number(v.toFixed(digits));

export async function benchAirQualityRun(report: BenchReport, cfg: Config, client: Client, pool: Pool): Promise<void> {
  const { readings, rejected } = parseAirQualityFile(generateAirQuality(DEFAULT_AIR_QUALITY_OPTIONS));
  await saveAirQualityFile(pool, 'bench:generated', readings, rejected);
  // the run moves the window on to the last month: the largest training part there is
  await pool.query(
    `INSERT INTO air_quality_window (model, first_month, test_month) VALUES ($1, '2004-03', '2005-03')
     ON CONFLICT (model) DO UPDATE SET first_month = EXCLUDED.first_month, test_month = EXCLUDED.test_month`,
    [AIR_QUALITY_MODEL],
  );
  const workflowId = 'air-quality-bench';
  const t0 = performance.now();
  const result = (await client.workflow.execute('airQualityTraining', {
    workflowId,
    taskQueue: cfg.temporal.taskQueues.training,
    args: [{}],
  })) as AirQualityTrainingResult;
  const seconds = round((performance.now() - t0) / 1000);
  if ('skipped' in result) throw new Error(`airQualityTraining trained nothing: ${result.skipped}`);
  report({
    step: 'air-quality',
    seconds,
    training_steps_seconds: await stepSeconds(client, result.training.runId, 'recordTabularRun'),
    window: result.window,
    missing: result.missing,
    train: result.training.train,
    test: result.training.test,
    trials: result.training.trials,
    chosen: { learner: result.training.best.learner, params: result.training.best.params },
    test_metrics: result.training.registration.metrics,
    baseline: result.baseline,
    target: '<= 60 s end to end on 2 cores (import excluded)',
  });
}
