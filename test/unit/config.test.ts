import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, redactUrl } from '../../platform/config.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected loadConfig to throw');
}

describe('config', () => {
  it('defaults to the local stack on loopback', () => {
    const cfg = loadConfig({});
    assert.equal(cfg.stack.mode, 'local');
    assert.deepEqual(cfg.stack.managed, {
      temporal: true,
      postgres: true,
      gcs: true,
      bigquery: true,
      prometheus: true,
    });
    assert.equal(cfg.metrics.workerPort, 9464);
    assert.equal(cfg.metrics.prometheusUrl, 'http://127.0.0.1:9090');
    assert.equal(cfg.temporal.address, '127.0.0.1:7233');
    assert.equal(cfg.temporal.uiUrl, 'http://localhost:8233');
    assert.deepEqual(cfg.temporal.connection, { tls: false, apiKey: undefined, metadata: undefined });
    assert.equal(cfg.postgres.url, 'postgres://retailflow@127.0.0.1:15432/retailflow');
    assert.equal(cfg.gcs.endpoint, 'http://127.0.0.1:4443');
    assert.equal(cfg.bigquery.endpoint, 'http://127.0.0.1:9050');
    assert.equal(cfg.bigquery.projectId, cfg.gcs.projectId);
    assert.equal(cfg.api.port, 3000);
    assert.deepEqual(cfg.api.keys, []);
  });

  it('derives local addresses from the port variables', () => {
    const cfg = loadConfig({
      POSTGRES_PORT: '25432',
      TEMPORAL_PORT: '17233',
      TEMPORAL_UI_PORT: '18233',
      GCS_PORT: '14443',
      BIGQUERY_PORT: '19050',
    });
    assert.equal(cfg.postgres.url, 'postgres://retailflow@127.0.0.1:25432/retailflow');
    assert.equal(cfg.temporal.address, '127.0.0.1:17233');
    assert.equal(cfg.temporal.uiUrl, 'http://localhost:18233');
    assert.equal(cfg.gcs.endpoint, 'http://127.0.0.1:14443');
    assert.equal(cfg.bigquery.endpoint, 'http://127.0.0.1:19050');
  });

  it('leaves a service unmanaged when its address is set', () => {
    const cfg = loadConfig({ DATABASE_URL: 'postgres://u:p@db.internal:5432/rf' });
    assert.equal(cfg.stack.managed.postgres, false);
    assert.equal(cfg.stack.managed.temporal, true);
    assert.equal(cfg.postgres.url, 'postgres://u:p@db.internal:5432/rf');
  });

  it('talks to real cloud services in external mode', () => {
    const cfg = loadConfig({
      RETAILFLOW_STACK: 'external',
      DATABASE_URL: 'postgres://u@10.0.0.5/rf',
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ns.acct',
      TEMPORAL_API_KEY: 'secret-key',
      GCP_PROJECT: 'acme-retail',
      GCS_BUCKET: 'acme-retail-ml',
      PAYLOAD_KEYS_FILE: '/run/secrets/payload-keys',
    });
    assert.deepEqual(cfg.stack.managed, {
      temporal: false,
      postgres: false,
      gcs: false,
      bigquery: false,
      prometheus: false,
    });
    assert.equal(cfg.gcs.endpoint, undefined);
    assert.equal(cfg.bigquery.endpoint, undefined);
    assert.equal(cfg.temporal.connection.tls, true, 'an API key implies TLS');
    assert.equal(cfg.temporal.connection.apiKey, 'secret-key');
    assert.equal(cfg.temporal.namespace, 'ns.acct');
    assert.equal(cfg.bigquery.projectId, 'acme-retail');
  });

  it('names every bad variable', () => {
    const err = configError({
      TEMPORAL_PORT: 'seventy',
      API_PORT: '70000',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
    });
    const text = err.message;
    for (const name of ['TEMPORAL_PORT', 'API_PORT', 'DATABASE_URL', 'LOG_LEVEL']) assert.match(text, new RegExp(name));
    assert.equal(err.problems.length, 4);
  });

  it('requires DATABASE_URL and TEMPORAL_ADDRESS in external mode', () => {
    const err = configError({ RETAILFLOW_STACK: 'external' });
    assert.match(err.message, /DATABASE_URL: required/);
    assert.match(err.message, /TEMPORAL_ADDRESS: required/);
  });

  it('reads mTLS files through envconfig: both or neither, and a missing file is named', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rf-tls-'));
    const [cert, key] = [path.join(dir, 'c.pem'), path.join(dir, 'k.pem')];
    writeFileSync(cert, 'CERT');
    writeFileSync(key, 'KEY');
    assert.match(configError({ TEMPORAL_TLS_CLIENT_CERT_PATH: cert }).message, /TEMPORAL_TLS_CLIENT_KEY_PATH/);
    const tls = loadConfig({ TEMPORAL_TLS_CLIENT_CERT_PATH: cert, TEMPORAL_TLS_CLIENT_KEY_PATH: key }).temporal
      .connection.tls;
    assert.ok(tls && typeof tls === 'object');
    assert.equal(Buffer.from(tls.clientCertPair!.crt).toString(), 'CERT');
    assert.equal(Buffer.from(tls.clientCertPair!.key).toString(), 'KEY');
    assert.match(
      configError({ TEMPORAL_TLS_CLIENT_CERT_PATH: cert, TEMPORAL_TLS_CLIENT_KEY_PATH: '/nowhere/k.pem' }).message,
      /nowhere\/k\.pem/,
    );
  });

  it('names the variables that were renamed', () => {
    assert.match(
      configError({ TEMPORAL_TLS_CERT_PATH: '/c.pem' }).message,
      /TEMPORAL_TLS_CERT_PATH: renamed to TEMPORAL_TLS_CLIENT_CERT_PATH/,
    );
  });

  it('takes the address and namespace from a temporal.toml profile, variables winning', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rf-toml-'));
    const file = path.join(dir, 'temporal.toml');
    writeFileSync(file, '[profile.prod]\naddress = "temporal.internal:7233"\nnamespace = "retail"\n');
    const cfg = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'retail-eu' });
    assert.equal(cfg.temporal.address, 'temporal.internal:7233');
    assert.equal(cfg.temporal.namespace, 'retail-eu');
    assert.equal(cfg.stack.managed.temporal, false, 'an address from the profile is not run here');
    assert.match(
      configError({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' }).message,
      /Profile 'staging' not found/,
    );
    assert.match(configError({ TEMPORAL_ADDRESS: 'no-port' }).message, /TEMPORAL_ADDRESS: must be host:port/);
  });

  it('keeps API keys only as hashes', () => {
    const key = 'a-long-enough-secret-key';
    const cfg = loadConfig({ API_KEYS: `ops:admin:${key}, dash:read:another-long-secret` });
    assert.deepEqual(
      cfg.api.keys.map((k) => [k.name, k.role]),
      [
        ['ops', 'admin'],
        ['dash', 'read'],
      ],
    );
    assert.equal(cfg.api.keys[0]?.sha256, createHash('sha256').update(key).digest('hex'));
    assert.ok(!JSON.stringify(cfg).includes(key), 'the plain key must not survive parsing');
  });

  it('rejects malformed API keys without echoing them', () => {
    const err = configError({ API_KEYS: 'ops:root:a-long-enough-secret-key' });
    assert.match(err.message, /API_KEYS: entry 1 must be name:role:key/);
    assert.ok(!err.message.includes('a-long-enough-secret-key'));
    assert.match(configError({ API_KEYS: 'ops:admin:short' }).message, /at least 16 characters/);
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadConfig({ GCS_ENDPOINT: '' }).gcs.endpoint, 'http://127.0.0.1:4443');
  });

  it('redacts passwords in URLs', () => {
    assert.equal(redactUrl('postgres://u:hunter2@h:5432/db'), 'postgres://u:***@h:5432/db');
    assert.equal(redactUrl('not a url'), '<unparseable url>');
  });
});
