// The power-user grid (seed 003) as production runs it, on bench:tabular's stack: generated GA4-like
// events (DEFAULT_GA4_OPTIONS, saved to Postgres first and not timed), then powerUserTraining end
// to end through Temporal: the events Postgres -> GCS -> BigQuery, the labelled users built in
// BigQuery, and tabularTraining's default power-user search (KNN, logistic regression, forest and
// boosting, each with the spec's grid, x none/random/SMOTE/ADASYN: 108 trials, 4-fold cross-validation).
// Reports seconds, seconds per step, trials and seconds per learner and sampling, the comparison
// table and the champion's test metrics.
import type { Client } from '@temporalio/client';
import { DEFAULT_POWER_USER_LABELING } from '../ml/tabular/presets/powerUser.ts';
import type { PowerUserTrainingInput, PowerUserTrainingReport } from '../contracts/powerUsers.ts';
import { comparisonTable } from '../ml/tabular/comparison.ts';
import type { Config } from '../platform/config.ts';
import type { Pool } from '../platform/postgres.ts';
import { saveGa4Events } from '../platform/powerUserWarehouse.ts';
import { tabularTrials } from '../platform/tabularRuns.ts';
import { DEFAULT_GA4_OPTIONS, GA4_CUTOFF, generateGa4Events } from '../scripts/data/ga4Generator.ts';
import type { BenchReport } from './results.ts';
import { stepSeconds } from './workflowSteps.ts';

const round = (v: number, digits = 2) => Number(v.toFixed(digits));

export async function benchPowerUserGrid(
  report: BenchReport,
  { cfg, client, pool }: { cfg: Config; client: Client; pool: Pool },
): Promise<void> {
  const events = generateGa4Events(DEFAULT_GA4_OPTIONS);
  await saveGa4Events(pool, events);
  const input: PowerUserTrainingInput = {
    events: 'ga4',
    labeling: { cutoff: GA4_CUTOFF, ...DEFAULT_POWER_USER_LABELING },
  };
  const workflowId = 'power-users-bench-grid';
  const t0 = performance.now();
  const result = (await client.workflow.execute('powerUserTraining', {
    workflowId,
    taskQueue: cfg.temporal.taskQueues.training,
    args: [input],
  })) as PowerUserTrainingReport;
  const seconds = round((performance.now() - t0) / 1000);
  const trials = await tabularTrials(pool, result.training.runId);
  const perArm: Record<string, { trials: number; seconds: number }> = {};
  for (const t of trials) {
    const arm = (perArm[`${t.learner}/${String(t.params.sampling)}`] ??= { trials: 0, seconds: 0 });
    arm.trials++;
    arm.seconds = round(arm.seconds + t.seconds);
  }
  report({
    step: 'power-user grid',
    seconds,
    features_seconds: (await stepSeconds(client, workflowId, 'recordTabularRun')).buildPowerUserTable,
    search_steps_seconds: await stepSeconds(client, result.training.runId, 'recordTabularRun'),
    events: result.features.events,
    users: result.features.users,
    power_users: result.features.powerUsers,
    train: result.training.train,
    test: result.training.test,
    trials: result.training.trials,
    trial_seconds_by_learner_and_sampling: perArm,
    comparison: comparisonTable(trials).map((r) => ({
      learner: r.learner,
      sampling: r.sampling,
      recall: round(r.recall, 3),
      precision: round(r.precision, 3),
      f1: round(r.f1, 3),
      logLoss: round(r.logLoss, 4),
      rocAuc: round(r.rocAuc, 4),
      prAuc: round(r.prAuc, 4),
    })),
    chosen: { learner: result.training.best.learner, params: result.training.best.params },
    test_metrics: result.training.registration.metrics,
    target: '<= 60 s end to end on 2 cores, >= 100 trials',
  });
}
