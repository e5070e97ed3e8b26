// Every query of the Grafana dashboard (deploy/grafana/retailflow.json) runs on the test stack's real
// Prometheus, scraping a real API and worker process after real requests and workflows: none may
// fail to parse, and every metric it names must exist (a recorded one: defined by a rule whose own
// metrics exist).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerType } from '@hono/node-server';
import { parse } from 'yaml';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps, startServer } from '../../api/server.ts';
import { ROOT } from '../../scripts/stack/paths.ts';
import { metricNames } from '../helpers/promql.ts';
import { freePort, testConfig, uniqueId } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';
import { startWorkerProcess } from '../helpers/workerProcess.ts';

const WRITER = 'writer-key-for-dashboard-tests';
const PROM = testConfig().metrics.prometheusUrl;

interface Panel {
  title: string;
  targets: { expr: string }[];
}
interface RuleFile {
  groups: { rules: { record?: string; alert?: string; expr: string }[] }[];
}

async function promQuery(expr: string): Promise<{ status: string; error?: string; data?: { result: unknown[] } }> {
  const res = await fetch(`${PROM}/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`);
  return (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
}

/** Metric names Prometheus knows from its scrapes: those with series, and those announced (# TYPE) without samples yet. */
async function knownMetrics(): Promise<Set<string>> {
  const names = (await (await fetch(`${PROM}/api/v1/label/__name__/values`)).json()) as { data: string[] };
  const meta = (await (await fetch(`${PROM}/api/v1/metadata`)).json()) as {
    data: Record<string, { type: string }[]>;
  };
  const known = new Set(names.data);
  for (const [name, [m]] of Object.entries(meta.data)) {
    known.add(name);
    if (m?.type === 'histogram') for (const s of ['_bucket', '_count', '_sum']) known.add(name + s);
  }
  return known;
}

describe('the Grafana dashboard against the local Prometheus', () => {
  const targetFile = path.join(testConfig().stack.dataDir, 'prometheus', 'targets', 'dashboard-test.json');
  let deps: ApiDeps;
  let server: ServerType;
  let worker: ChildProcess;
  let apiUrl: string;
  before(async () => {
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    const cfg = testConfig({ API_KEYS: `producer:write:${WRITER}`, API_PORT: String(apiPort) });
    deps = createApiDeps(cfg);
    server = await startServer(deps);
    apiUrl = `http://127.0.0.1:${apiPort}`;
    worker = startWorkerProcess('ingest', { ...process.env, WORKER_METRICS_PORT: String(workerPort) });
    await mkdir(path.dirname(targetFile), { recursive: true });
    await writeFile(
      targetFile,
      JSON.stringify([
        { targets: [`127.0.0.1:${apiPort}`], labels: { service: 'api' } },
        { targets: [`127.0.0.1:${workerPort}`], labels: { service: 'worker' } },
      ]),
    );
  });
  after(async () => {
    await rm(targetFile, { force: true });
    worker.kill('SIGTERM');
    server.close();
    await closeApiDeps(deps);
  });

  it('runs every panel query, and each metric it names exists after a scrape', async () => {
    // Traffic: a forecast, an ingest that completes and a workflow that fails.
    const forecast = await fetch(`${apiUrl}/v1/forecast`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ store_id: 987654, product_name: 'all' }]),
    });
    assert.equal(forecast.status, 404);
    const started = await fetch(`${apiUrl}/v1/ingest/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITER}`, 'content-type': 'application/json' },
      body: JSON.stringify({ date: '2024-06-03' }),
    });
    assert.equal(started.status, 202);
    await deps.temporal.workflow.getHandle(((await started.json()) as { workflowId: string }).workflowId).result();
    await assert.rejects(
      deps.temporal.workflow.execute('dailyIngest', {
        taskQueue: testConfig().temporal.taskQueues.ingest,
        workflowId: uniqueId('dashboard-bad-date'),
        args: [{ date: 'not-a-date' }],
      }),
    );
    // Prometheus has scraped both processes since.
    await until('Prometheus scraping the failed workflow and the API request', async () => {
      const [failed, api] = await Promise.all([
        promQuery('temporal_workflow_failed_total{workflow_type="dailyIngest"}'),
        promQuery('retailflow_http_request_duration_seconds_count{route="/v1/forecast"}'),
      ]);
      return Boolean(failed.data?.result.length && api.data?.result.length);
    });

    const dashboard = JSON.parse(await readFile(path.join(ROOT, 'deploy/grafana/retailflow.json'), 'utf8')) as {
      panels: Panel[];
    };
    const rules = new Map<string, string>();
    for (const file of ['recording.rules.yml', 'alerts.rules.yml']) {
      const parsed = parse(await readFile(path.join(ROOT, 'deploy/prometheus', file), 'utf8')) as RuleFile;
      for (const r of parsed.groups.flatMap((g) => g.rules)) if (r.record) rules.set(r.record, r.expr);
    }
    const known = await knownMetrics();
    const problems: string[] = [];
    const checkNames = (where: string, expr: string) => {
      for (const name of metricNames(expr)) {
        if (rules.has(name)) checkNames(`${where} (rule ${name})`, rules.get(name)!);
        else if (!known.has(name)) problems.push(`${where}: no metric ${name}`);
      }
    };
    assert.ok(dashboard.panels.length >= 15);
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        const answer = await promQuery(expr);
        if (answer.status !== 'success') problems.push(`${panel.title}: ${answer.error}`);
        checkNames(panel.title, expr);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('would catch a misspelled metric and a query that does not parse', async () => {
    assert.deepEqual(metricNames('sum by (le) (rate(retailflow_fit_secs_bucket{engine="x"}[5m]))'), [
      'retailflow_fit_secs_bucket',
    ]);
    assert.ok(!(await knownMetrics()).has('retailflow_fit_secs_bucket'));
    assert.equal((await promQuery('sum by (le (rate(x[5m]))')).status, 'error');
  });
});
