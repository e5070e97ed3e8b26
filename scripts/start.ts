// `npm start`: the whole stack on this machine. Installs what is missing, starts the services,
// migrates, runs the workers and the API, runs a stackCheck as demo data, prints the URLs,
// and on Ctrl-C stops everything it started.
import type { ChildProcess } from 'node:child_process';
import { config, loadConfig, redactUrl } from '../platform/config.ts';
import { runMain } from '../platform/main.ts';
import { provision } from '../platform/provision.ts';
import { connectClient, workflowUrl } from '../platform/temporal.ts';
import { spawnTs, stopChildren } from './children.ts';
import { ensureSchedules } from '../platform/schedules.ts';
import type { dailyIngest } from '../workflows/dailyIngest.ts';
import type { stackCheck } from '../workflows/stackCheck.ts';
import type { weeklyTraining } from '../workflows/weeklyTraining.ts';
import { ensureDemoData } from './demo-data.ts';
import { ensureLocalApiKey } from './local-keys.ts';
import { stackDown, stackUp } from './stack/stack.ts';
import type { ServiceName } from './stack/services.ts';

const log = (msg: string) => console.log(`[start] ${msg}`);

runMain('start', async () => {
  const keyFile = await ensureLocalApiKey(config().stack.dataDir);
  const cfg = keyFile ? loadConfig() : config();
  const apiUrl = `http://${cfg.api.host}:${cfg.api.port}`;

  let started: ServiceName[] = [];
  let children: ChildProcess[] = [];
  let stopping = false;

  async function shutdown(code: number): Promise<never> {
    if (!stopping) {
      stopping = true;
      log('stopping');
      await stopChildren(children);
      await stackDown(cfg, started);
    }
    process.exit(code);
  }

  async function waitForApi(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ready = await fetch(`${apiUrl}/readyz`).then((r) => r.ok, () => false);
      if (ready) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`the API at ${apiUrl} was not ready within ${timeoutMs / 1000} s; see its output above`);
  }

  const apiKey = process.env.API_KEYS?.split(',')[0]?.split(':')[2] ?? '';
  const post = async (route: string, body?: unknown): Promise<{ workflowId: string }> => {
    const res = await fetch(`${apiUrl}${route}`, {
      method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status !== 202) throw new Error(`POST ${route} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { workflowId: string };
  };

  /** Schedules, demo data, one stackCheck and one daily ingest, through the API, so the UI shows them. */
  async function demo(): Promise<void> {
    const client = await connectClient(cfg.temporal);
    try {
      log(`schedules: ${(await ensureSchedules(client, cfg)).join(', ')}`);
      const check = await client.workflow.getHandle<typeof stackCheck>((await post('/v1/stack-check')).workflowId).result();
      log(`stackCheck ${check.checkId}: rows in postgres=${check.counts.postgres} gcs=${check.counts.gcs} bigquery=${check.counts.bigquery}`);
      const day = await ensureDemoData(cfg, apiUrl, apiKey);
      if (day) {
        const run = await client.workflow.getHandle<typeof dailyIngest>((await post('/v1/ingest/runs', { date: day })).workflowId).result();
        log(`dailyIngest ${run.runId}: ${JSON.stringify(run.counts)}`);
        // A first weekly training, so the registry and the forecasts are there to look at.
        const training = await client.workflow.getHandle<typeof weeklyTraining>((await post('/v1/training-runs', { asOf: day })).workflowId).result();
        log(`weeklyTraining ${training.runId}: ${JSON.stringify(training.counts)}, RMSPE p50 ${training.metrics.rmspe?.p50.toFixed(3) ?? 'n/a'}`);
      }
    } finally {
      await client.connection.close();
    }
  }

  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    started = await stackUp(cfg);
    const report = await provision(cfg);
    log(`database ${redactUrl(cfg.postgres.url)}: ${report.migrationsApplied.length} migration(s) applied`);
    children = [spawnTs('workers/main.ts'), spawnTs('api/main.ts')];
    for (const child of children) {
      child.once('exit', (code, signal) => {
        if (stopping) return;
        log(`a child process exited (${signal ?? `code ${code}`}); stopping the rest`);
        void shutdown(1);
      });
    }
    await waitForApi();
    await demo();
    console.log([
      '',
      'retailflow is running:',
      `  planners' page ${apiUrl}/`,
      `  API            ${apiUrl}   (every endpoint at ${apiUrl}/docs, OpenAPI at /openapi.json)`,
      `  Temporal UI    ${cfg.temporal.uiUrl}`,
      `  workflows      ${workflowUrl(cfg.temporal, '').replace(/\/workflows\/$/, '/workflows')}`,
      keyFile ? `  admin API key  in ${keyFile}` : '  API keys       from API_KEYS',
      `  service logs   npm run stack -- logs`,
      '',
      'Press Ctrl-C to stop.',
    ].join('\n'));
  } catch (err) {
    console.error(`[start] ${(err as Error).message}`);
    await shutdown(1);
  }
});
