// `npm start`: the whole stack on this machine. Installs what is missing, starts the services,
// migrates, runs the workers and the API under a supervisor that restarts whichever dies, runs a
// stackCheck as demo data, prints the URLs, and on Ctrl-C, SIGINT or SIGTERM stops everything it
// started. One per data dir: a second one says where the first runs and exits.
import { config, loadConfig, redactUrl } from '../platform/config.ts';
import { runMain } from '../platform/main.ts';
import { provision } from '../platform/provision.ts';
import type { Workflow } from '@temporalio/common';
import { connectClient, temporalUiUrl } from '../platform/temporal.ts';
import { spawnTs } from './children.ts';
import { ensureSchedules } from '../platform/schedules.ts';
import type { customerSegmentation } from '../workflows/customerSegmentation.ts';
import type { dailyIngest } from '../workflows/dailyIngest.ts';
import type { stackCheck } from '../workflows/stackCheck.ts';
import type { weeklyTraining } from '../workflows/weeklyTraining.ts';
import { runFailure } from './data/import.ts';
import { trainBigmart } from './data/trainBigmart.ts';
import { ensureDemoData, ensureRetailDemoData, needsBigmartDemo } from './demo-data.ts';
import { ensureLocalApiKey } from './local-keys.ts';
import { becomeInstance } from './stack/instance.ts';
import { stackDirs } from './stack/paths.ts';
import { SERVICE_NAMES, type ServiceName } from './stack/services.ts';
import { stackDown, stackUp, supervisedService } from './stack/stack.ts';
import { Supervisor } from './supervisor.ts';
import { WORKER_NODE_FLAGS } from '../workers/nodeFlags.ts';

const log = (msg: string) => console.log(`[start] ${msg}`);
/** The processes of `npm start` besides the services, in start order. */
const NODE_CHILDREN = [
  { name: 'worker', script: 'workers/main.ts', nodeArgs: WORKER_NODE_FLAGS },
  { name: 'api', script: 'api/main.ts' },
];

runMain('start', async () => {
  const dirs = stackDirs(config().stack.dataDir);
  const { host, port } = config().api;
  const apiUrl = `http://${host}:${port}`;
  const tenure = await becomeInstance(
    dirs,
    { pageUrl: `${apiUrl}/`, apiUrl },
    NODE_CHILDREN.map((c) => c.name),
    log,
  );
  if (!tenure) return;

  const keyFile = await ensureLocalApiKey(dirs.data);
  const cfg = keyFile ? loadConfig() : config();
  const supervisor = new Supervisor(log);
  let up: Promise<ServiceName[]> | undefined;
  // Services still coming up when the signal came are stopped once they are.
  supervisor.exitOnSignals(async () => stackDown(cfg, await (up ?? Promise.resolve([])).catch(() => [])));

  async function waitForApi(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ready = await fetch(`${apiUrl}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(
      `the API at ${apiUrl} was not ready within ${timeoutMs / 1000} s; see its output above (also in ${dirs.logs}/api.log)`,
    );
  }

  const apiKey = process.env.API_KEYS?.split(',')[0]?.split(':')[2] ?? '';
  const post = async (route: string, body?: unknown): Promise<{ workflowId: string }> => {
    const res = await fetch(`${apiUrl}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status !== 202) throw new Error(`POST ${route} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { workflowId: string };
  };

  /** Schedules, demo data, one stackCheck, a daily ingest, a training and a segmentation, through the API, so the UI shows them. */
  async function demo(): Promise<void> {
    const client = await connectClient(cfg.temporal);
    const finished = <W extends Workflow>({ workflowId }: { workflowId: string }) =>
      client.workflow.getHandle<W>(workflowId).result().catch(runFailure(workflowId));
    try {
      log(`schedules: ${(await ensureSchedules(client, cfg)).join(', ')}`);
      const check = await finished<typeof stackCheck>(await post('/v1/stack-check'));
      log(
        `stackCheck ${check.checkId}: rows in postgres=${check.counts.postgres} gcs=${check.counts.gcs} bigquery=${check.counts.bigquery}`,
      );
      const day = await ensureDemoData(cfg, apiUrl, apiKey);
      if (day) {
        const run = await finished<typeof dailyIngest>(await post('/v1/ingest/runs', { date: day }));
        log(`dailyIngest ${run.runId}: ${JSON.stringify(run.counts)}`);
        // A first weekly training, so the registry and the forecasts are there to look at.
        const training = await finished<typeof weeklyTraining>(await post('/v1/training-runs', { asOf: day }));
        log(
          `weeklyTraining ${training.runId}: ${JSON.stringify(training.counts)}, RMSPE p50 ${training.metrics.rmspe?.p50.toFixed(3) ?? 'n/a'}`,
        );
      }
      if (await ensureRetailDemoData(cfg)) {
        // A first segmentation, so the Segments view and /predict have a model.
        const segmentation = await finished<typeof customerSegmentation>(await post('/v1/segmentation-runs', {}));
        log(
          `customerSegmentation ${segmentation.runId}: ${segmentation.snapshot.customers} customers in ${segmentation.k} segments, silhouette ${segmentation.byK.find((f) => f.k === segmentation.k)?.silhouette.toFixed(3)}`,
        );
      }
      if (await needsBigmartDemo(cfg)) {
        // A first bigmart model (a quick search) and Test.csv scored, so the Experiments view and the model API have one.
        const { training, scoring } = await trainBigmart(client, cfg, {
          trials: 12,
          seed: 42,
          rows: 8523,
          search: { folds: 3, learners: ['ridge', 'lasso', 'elasticNet', 'tree', 'boosting'] },
        });
        log(
          `tabularTraining ${training.runId}: bigmart version ${training.registration.version}, ${training.best.learner}, test RMSE ${training.registration.metrics.rmse?.toFixed(1)}; ` +
            `tabularBatchScoring ${scoring.runId}: ${scoring.scored} of ${scoring.read} Test.csv rows scored`,
        );
      }
    } finally {
      await client.connection.close();
    }
  }

  try {
    up = stackUp(cfg);
    const owned = [...new Set([...tenure.inherited, ...(await up)])];
    tenure.record(owned);
    for (const name of SERVICE_NAMES.filter((n) => cfg.stack.managed[n])) {
      await supervisor.add(supervisedService(cfg, name, owned.includes(name)));
    }
    const report = await provision(cfg);
    log(`database ${redactUrl(cfg.postgres.url)}: ${report.migrationsApplied.length} migration(s) applied`);
    for (const child of NODE_CHILDREN) await supervisor.add({ name: child.name, start: () => spawnTs(child, dirs) });
    await waitForApi();
    await demo();
    console.log(
      [
        '',
        'retailflow is running:',
        `  planners' page ${apiUrl}/`,
        `  API            ${apiUrl}   (every endpoint at ${apiUrl}/docs, OpenAPI at /openapi.json)`,
        `  Temporal UI    ${cfg.temporal.uiUrl}`,
        `  workflows      ${temporalUiUrl(cfg.temporal, { workflows: true })}`,
        `  Prometheus     ${cfg.metrics.prometheusUrl}   (/metrics on the API and on the worker at ${cfg.metrics.host}:${cfg.metrics.workerPort})`,
        keyFile ? `  admin API key  in ${keyFile}` : '  API keys       from API_KEYS',
        `  logs           ${dirs.logs}/ (npm run stack -- logs [api|worker|postgres|gcs|bigquery|temporal|prometheus] [-f])`,
        '',
        `A process that dies is restarted. Press Ctrl-C (or kill -INT ${process.pid}) to stop.`,
      ].join('\n'),
    );
  } catch (err) {
    // A stop signal during start-up makes the steps under way fail: that is no start-up failure.
    if (supervisor.isStopping) return;
    console.error(`[start] ${(err as Error).message}`);
    await supervisor.shutdown(1);
  }
});
