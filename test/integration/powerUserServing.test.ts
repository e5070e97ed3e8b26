// Serving the power-user model against the real stack: a version fitted on generated users with
// a threshold registered as a run registers one; POST /v1/models/power-user/predict answers each
// user's probability (as predictTabular), the label at the version's threshold and the version;
// a BigMart (regression) answer carries no labels; OpenAPI documents the fields. Own Postgres schema.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps } from '../../api/server.ts';
import { POWER_USER_MODEL } from '../../contracts/powerUsers.ts';
import { fitTabular, predictTabular, type FittedTabular } from '../../ml/tabular/evaluate.ts';
import {
  DEFAULT_POWER_USER_LABELING,
  POWER_USER_SPEC,
  powerUserFeatures,
  type PowerUserEvent,
  POWER_USER_TARGET,
  powerUserTable,
} from '../../ml/tabular/presets/powerUser.ts';
import type { RawRow } from '../../ml/tabular/values.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { registerTabularVersion } from '../../platform/tabularRegistry.ts';
import { generateGa4Events, GA4_CUTOFF } from '../../scripts/data/ga4Generator.ts';
import { isolatedSchema, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

type Answer = { status: number; body: Record<string, unknown> };

describe('POST /v1/models/power-user/predict against the real stack', () => {
  let isolated: IsolatedSchema;
  let deps: ApiDeps;
  let app: ReturnType<typeof createApp>;
  let fitted: FittedTabular;
  let instances: Record<string, unknown>[];
  let version: number;
  let events: PowerUserEvent[];
  let untrained: Answer[];

  const request = async (method: string, url: string, body?: unknown): Promise<Answer> => {
    const res = await app.request(url, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: { 'content-type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    isolated = await isolatedSchema(testConfig(), 'pusrv');
    deps = createApiDeps(isolated.cfg);
    app = createApp(deps);
    events = generateGa4Events({ seed: 3, users: 1500, from: '2020-11-01', to: '2021-01-31' });
    const users = powerUserTable(events, { cutoff: GA4_CUTOFF, ...DEFAULT_POWER_USER_LABELING });
    const rows: RawRow[] = users.map((u) => Object.fromEntries(Object.entries(u).map(([k, v]) => [k, v ?? ''])));
    fitted = {
      ...fitTabular(POWER_USER_SPEC, rows.slice(40), 'logistic', { sampling: 'smote', C: 1 }, 0),
      threshold: 0.37,
    };
    // what a client sends: a user's features, without the label
    instances = users.slice(0, 40).map(({ [POWER_USER_TARGET]: _label, ...features }) => features);
    // before any training: nothing of the model in the registry yet
    untrained = [
      await request('POST', `/v1/models/${POWER_USER_MODEL}/predict`, { instances }),
      await request('POST', `/v1/models/${POWER_USER_MODEL}/users/predict`, {
        cutoff: GA4_CUTOFF,
        users: [
          {
            user_id: 'u1',
            events: [{ event_id: 'e1', session_id: 's1', event_time: '2020-11-20T10:00', event_name: 'page_view' }],
          },
        ],
      }),
    ];
    const store = new ObjectStore(isolated.cfg.gcs);
    ({ version } = await registerTabularVersion(
      isolated.pool,
      store,
      {
        model: POWER_USER_MODEL,
        runId: uniqueId('tabular-pu-serving'),
        fitted,
        spec: POWER_USER_SPEC,
        trial: { trial: 0, learner: 'logistic', params: { sampling: 'smote', C: 1 } },
        metrics: { test: { recall: 0.5, precision: 0.5 }, crossValidation: {}, trials: 1 },
      },
      () => Promise.resolve({ metrics: {}, champion: null, promoted: true, reason: 'test: promoted' }),
    ));
  });
  after(async () => {
    if (deps) await closeApiDeps(deps);
    await isolated?.drop();
  });

  it('answers 409 naming powerUserTraining before the first training registered the model', () => {
    for (const answer of untrained) {
      assert.equal(answer.status, 409, JSON.stringify(answer.body));
      const error = answer.body.error as { code: string; message: string };
      assert.equal(error.code, 'not_trained');
      assert.match(
        error.message,
        /powerUserTraining workflow \(POST \/v1\/power-user-runs, or npm run data -- train-power-users\)/,
      );
    }
  });

  it("answers each user's probability, the label at the version's threshold and the version", async () => {
    const answer = await request('POST', `/v1/models/${POWER_USER_MODEL}/predict`, { instances });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const probabilities = predictTabular(fitted, instances);
    assert.deepEqual(answer.body.predictions, probabilities);
    assert.equal(answer.body.threshold, 0.37);
    assert.deepEqual(
      answer.body.labels,
      probabilities.map((p) => (p >= 0.37 ? 1 : 0)),
    );
    // both labels occur
    assert.ok(probabilities.some((p) => p >= 0.37));
    assert.ok(probabilities.some((p) => p < 0.37));
    assert.equal(answer.body.model_version, version);
    assert.equal(answer.body.model, POWER_USER_MODEL);
  });

  it('names the field of a bad instance', async () => {
    const answer = await request('POST', `/v1/models/${POWER_USER_MODEL}/predict`, {
      instances: [{ ...instances[0], sessions: 'many' }],
    });
    assert.equal(answer.status, 400);
    assert.equal((answer.body.error as { field: string }).field, 'instances.0.sessions');
  });

  it("answers users from their raw events: the features by the training table's definitions, then the version", async () => {
    const ids = [...new Set(events.filter((e) => e.eventTime < GA4_CUTOFF).map((e) => e.userId))].slice(0, 8);
    const users = ids.map((id) => ({
      user_id: id,
      events: events
        .filter((e) => e.userId === id)
        .map((e) => ({
          event_id: e.eventId,
          session_id: e.sessionId,
          event_time: e.eventTime,
          event_name: e.eventName,
          items: e.items,
          revenue: Number(e.revenue),
          traffic_source: e.trafficSource,
          device: e.device,
          country: e.country,
        })),
    }));
    const answer = await request('POST', `/v1/models/${POWER_USER_MODEL}/users/predict`, { cutoff: GA4_CUTOFF, users });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const rows = ids.map((id) =>
      powerUserFeatures(
        id,
        events.filter((e) => e.userId === id),
        GA4_CUTOFF,
      )!,
    );
    const probabilities = predictTabular(fitted, rows as unknown as RawRow[]);
    const answered = answer.body.users as { user_id: string; probability: number; label: number; features: unknown }[];
    assert.deepEqual(
      answered.map((u) => u.user_id),
      ids,
    );
    assert.deepEqual(
      answered.map((u) => u.probability),
      probabilities,
    );
    assert.deepEqual(
      answered.map((u) => u.label),
      probabilities.map((p) => (p >= 0.37 ? 1 : 0)),
    );
    assert.deepEqual(
      answered.map((u) => u.features),
      rows,
    );
    assert.equal(answer.body.model_version, version);

    // a user with no event before the cutoff has no features: named
    const late = await request('POST', `/v1/models/${POWER_USER_MODEL}/users/predict`, {
      cutoff: '2020-10-01',
      users: users.slice(0, 1),
    });
    assert.equal(late.status, 400);
    assert.equal((late.body.error as { field: string }).field, 'users.0.events');
    const bad = await request('POST', `/v1/models/${POWER_USER_MODEL}/users/predict`, {
      cutoff: GA4_CUTOFF,
      users: [{ ...users[0], events: [{ ...users[0]!.events[0], event_time: 'yesterday' }] }],
    });
    assert.equal(bad.status, 400);
    assert.equal((bad.body.error as { field: string }).field, 'users.0.events.0.event_time');
  });

  it('documents the labels and the threshold in OpenAPI', async () => {
    const doc = await request('GET', '/openapi.json');
    const schema = (doc.body.components as { schemas: Record<string, { properties: Record<string, unknown> }> }).schemas
      .TabularPredictResponse!;
    assert.ok(schema.properties.labels, 'labels');
    assert.ok(schema.properties.threshold, 'threshold');
    const paths = doc.body.paths as Record<string, unknown>;
    assert.ok(paths['/v1/models/{name}/predict']);
  });
});
