// The tabular pipeline as production runs it, on the benchmarks' own stack: a generated BigMart
// Train.csv (the real file's size, 8,523 rows) in GCS, the training worker and the API in their own
// processes.
//   search:  tabularTraining with its defaults (a 50-trial seeded random search over every
//            regression learner, 5-fold cross-validation, 4 trials at once) end to end through
//            Temporal: seconds, seconds per step, trials per learner, the choice, the worker's peak RSS
//   power-user grid: powerUserTraining with its default grid (bench/powerUserService.ts)
//   air-quality: airQualityTraining end to end on the real file's size (airQualityRun.ts)
//   predict: POST /v1/models/bigmart/predict with one Test.csv row under autocannon: req/s, p50/p99,
//            the API's peak RSS
import type { ChildProcess } from 'node:child_process';
import type { TabularReport, TabularTrainingInput } from '../contracts/tabular.ts';
import { loadConfig } from '../platform/config.ts';
import { provision } from '../platform/provision.ts';
import { ObjectStore } from '../platform/storage.ts';
import { tabularTrials } from '../platform/tabularRuns.ts';
import { connectClient } from '../platform/temporal.ts';
import { createPool } from '../platform/postgres.ts';
import {
  BIGMART_TRAIN_HEADER,
  bigmartCsv,
  DEFAULT_BIGMART_OPTIONS,
  generateBigMart,
} from '../scripts/data/bigmartGenerator.ts';
import { stackDown, stackUp, stackWipe } from '../scripts/stack/stack.ts';
import { WORKER_NODE_FLAGS } from '../workers/nodeFlags.ts';
import { benchAirQualityRun } from './airQualityRun.ts';
import { postUnderLoad } from './load.ts';
import { benchPowerUserGrid } from './powerUserService.ts';
import { BENCH_API_PORT, BENCH_ENV } from './profile.ts';
import { peakRssMiB, startProcess, untilHealthy } from './processes.ts';
import type { BenchReport } from './results.ts';
import { stepSeconds } from './workflowSteps.ts';

const API_PORT = BENCH_API_PORT;
const round = (v: number, digits = 2) => Number(v.toFixed(digits));

export async function benchTabularService(
  report: BenchReport,
  loadSeconds: number,
  { powerUser = true }: { powerUser?: boolean } = {},
): Promise<void> {
  Object.assign(process.env, BENCH_ENV, { API_PORT: String(API_PORT) });
  const cfg = loadConfig();
  const api = `http://127.0.0.1:${API_PORT}`;
  const children: ChildProcess[] = [];
  await stackWipe(cfg);
  await stackUp(cfg);
  try {
    await provision(cfg);
    const { train, test } = generateBigMart(DEFAULT_BIGMART_OPTIONS);
    const uri = await new ObjectStore(cfg.gcs).write(
      'uploads/bench/Train.csv',
      bigmartCsv(BIGMART_TRAIN_HEADER, train),
      'text/csv',
    );
    const [training, apiProcess] = [
      startProcess('workers/training.ts', WORKER_NODE_FLAGS),
      startProcess('api/main.ts'),
    ];
    children.push(training, apiProcess);
    const client = await connectClient(cfg.temporal);
    const pool = createPool(cfg.postgres);
    try {
      const run = (workflowId: string, input: TabularTrainingInput) =>
        client.workflow.execute('tabularTraining', {
          workflowId,
          taskQueue: cfg.temporal.taskQueues.training,
          args: [input],
        }) as Promise<TabularReport>;
      // Warm-up (not reported): the worker bundles its workflows and starts its threads first.
      await run('tabular-bench-warmup', {
        model: 'bigmart',
        source: { kind: 'csv', uri },
        search: { trials: 1, folds: 2, learners: ['ridge'] },
      });
      const workflowId = 'tabular-bench-search';
      const t0 = performance.now();
      const result = await run(workflowId, { model: 'bigmart', source: { kind: 'csv', uri } });
      const trials = await tabularTrials(pool, workflowId);
      const perLearner: Record<string, { trials: number; seconds: number }> = {};
      for (const t of trials) {
        const l = (perLearner[t.learner] ??= { trials: 0, seconds: 0 });
        l.trials++;
        l.seconds = round(l.seconds + t.seconds);
      }
      report({
        step: 'search',
        seconds: round((performance.now() - t0) / 1000),
        steps_seconds: await stepSeconds(client, workflowId, 'recordTabularRun'),
        rows: result.rows,
        train: result.train,
        test: result.test,
        trials: result.trials,
        trial_seconds_by_learner: perLearner,
        chosen: { learner: result.best.learner, params: result.best.params, cv_rmse: result.best.metrics.rmse },
        test_metrics: result.registration.metrics,
        worker_peak_rss_mib: await peakRssMiB(training.pid!),
        target: '<= 30 s end to end on 2 cores',
      });
      if (powerUser) await benchPowerUserGrid(report, { cfg, client, pool });

      await benchAirQualityRun(report, cfg, client, pool);

      await untilHealthy(api);
      // Test.csv has no target: its row as a client sends it, numbers as numbers.
      const instance = Object.fromEntries(
        Object.entries(test[0]!).map(([k, v]) => [k, v !== '' && Number.isFinite(Number(v)) ? Number(v) : v]),
      );
      const body = JSON.stringify({ instances: [instance] });
      const url = `${api}/v1/models/bigmart/predict`;
      const check = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      if (check.status !== 200) throw new Error(`POST ${url} answered ${check.status}: ${await check.text()}`);
      report({
        step: 'predict',
        ...(await postUnderLoad(url, body, loadSeconds)),
        answer: await check.json(),
        api_peak_rss_mib: await peakRssMiB(apiProcess.pid!),
        target: '>= 5,000 req/s, p99 <= 10 ms',
      });
    } finally {
      await pool.end();
      await client.connection.close();
    }
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await stackDown(cfg);
  }
}
