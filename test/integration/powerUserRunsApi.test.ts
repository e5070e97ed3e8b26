// POST /v1/power-user-runs against the real stack: bad bodies are 400s naming the field, a start
// needs a write key, and a good one starts powerUserTraining whose search is then followed as a
// tabular run (GET /v1/tabular-runs/:id) to its end, with its comparison table. Own schema and queue.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import type { Config } from '../../platform/config.ts';
import { saveGa4Events } from '../../platform/powerUserWarehouse.ts';
import { generateGa4Events, GA4_CUTOFF } from '../../scripts/data/ga4Generator.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { isolatedSchema, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';
import { until } from '../helpers/until.ts';

const WRITER = 'write-key-for-power-user-runs';
type ProjectError = { error: { field?: string; message: string } };

describe('power-user runs API against the real stack', () => {
  let isolated: IsolatedSchema;
  let cfg: Config;
  let apiDeps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  const post = (body: unknown, key: string | null = WRITER) =>
    app.request('/v1/power-user-runs', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    });
  const good = { events: 'ga4', labeling: { cutoff: GA4_CUTOFF }, search: { folds: 2, learners: ['logistic'] } };

  before(async () => {
    isolated = await isolatedSchema(testConfig({ API_KEYS: `trainer:write:${WRITER}` }), 'puapi');
    const training = uniqueId('power-user-api') as Config['temporal']['taskQueues']['training'];
    cfg = {
      ...isolated.cfg,
      temporal: { ...isolated.cfg.temporal, taskQueues: { ...isolated.cfg.temporal.taskQueues, training } },
    };
    apiDeps = createApiDeps(cfg);
    app = createApp(apiDeps);
    await saveGa4Events(
      isolated.pool,
      generateGa4Events({ seed: 9, users: 2000, from: '2020-11-01', to: '2021-01-31' }),
    );
  });
  after(async () => {
    await closeApiDeps(apiDeps);
    await isolated.drop();
  });

  it('refuses bad bodies with 400 naming the field, and a start without a write key', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ ...good, events: 'kafka' }, 'events', /must be ga4 or online-retail, got "kafka"/],
      [{ ...good, labeling: { cutoff: '2020-02-30' } }, 'labeling.cutoff', /must be a date YYYY-MM-DD/],
      [{ ...good, labeling: { cutoff: GA4_CUTOFF, windowDays: 0 } }, 'labeling.windowDays', /from 1 to 3660, got 0/],
      [{ ...good, labeling: { cutoff: GA4_CUTOFF, threshold: -1 } }, 'labeling.threshold', />= 0, got -1/],
      [{ ...good, search: { learners: ['ridge'] } }, 'search.learners.0', /must be one of .*logistic.*, got "ridge"/],
      [{ ...good, colour: 'blue' }, 'body', /"colour" is not a field/],
    ];
    for (const [body, field, message] of cases) {
      const res = await post(body);
      const { error } = (await res.json()) as ProjectError;
      assert.equal(res.status, 400, JSON.stringify({ body, error }));
      assert.equal(error.field, field, JSON.stringify({ body, error }));
      assert.match(error.message, message);
    }
    assert.equal((await post(good, null)).status, 401);
  });

  it('starts powerUserTraining; its search is followed as a tabular run to the end, with the comparison table', async () => {
    const res = await post(good);
    assert.equal(res.status, 202, await res.clone().text());
    const started = (await res.json()) as { workflowId: string; tabularRun: string; temporalUrl: string };
    assert.match(started.workflowId, /^power-users-/);
    assert.equal(started.tabularRun, `tabular-${started.workflowId}`);
    const run = await withWorker(cfg, cfg.temporal.taskQueues.training, () =>
      until(
        `tabular run ${started.tabularRun} to end`,
        async () => {
          const answer = await app.request(`/v1/tabular-runs/${started.tabularRun}`);
          if (answer.status !== 200) return undefined;
          const r = (await answer.json()) as {
            status: string;
            model: string;
            options: { split: { kind: string } };
            comparison: { learner: string; sampling: string; trials: number }[];
          };
          return r.status !== 'running' && r;
        },
        { seconds: 180 },
      ),
    );
    assert.equal(run.status, 'done');
    assert.equal(run.model, 'power-user');
    assert.equal(run.options.split.kind, 'stratified');
    assert.deepEqual(
      run.comparison.map((r) => [r.learner, r.sampling, r.trials]),
      [
        ['logistic', 'none', 5],
        ['logistic', 'random', 5],
        ['logistic', 'smote', 5],
        ['logistic', 'adasyn', 5],
      ],
    );
  });
});
