// TLS to Temporal and Postgres comes from configuration only: these check that the variables turn
// into the options the Temporal connections and pg receive.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../platform/config.ts';
import { postgresConnection } from '../../platform/postgres.ts';
import { temporalConnectionOptions } from '../../platform/temporal.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'rf-conn-tls-'));
const pem = (name: string) => {
  const file = path.join(dir, `${name}.pem`);
  writeFileSync(file, `${name.toUpperCase()} PEM`);
  return file;
};
const [ca, cert, key] = [pem('ca'), pem('cert'), pem('key')];
const pgOptions = (env: Record<string, string>) => postgresConnection(loadConfig(env).postgres);

describe('Postgres TLS by configuration', () => {
  it('leaves TLS to the URL when nothing is set', () => {
    assert.deepEqual(pgOptions({}), { connectionString: 'postgres://retailflow@127.0.0.1:15432/retailflow' });
    const url = 'postgres://u@db/rf?sslmode=verify-full';
    assert.deepEqual(pgOptions({ DATABASE_URL: url }), { connectionString: url });
  });

  it('require encrypts without verifying; disable turns it off', () => {
    assert.deepEqual(pgOptions({ DATABASE_SSL: 'require' }).ssl, { rejectUnauthorized: false });
    assert.equal(pgOptions({ DATABASE_SSL: 'disable' }).ssl, false);
  });

  it('verify-full checks the server against the CA file and presents the client certificate', () => {
    assert.deepEqual(
      pgOptions({
        DATABASE_SSL: 'verify-full',
        DATABASE_SSL_ROOT_CERT_PATH: ca,
        DATABASE_SSL_CERT_PATH: cert,
        DATABASE_SSL_KEY_PATH: key,
      }).ssl,
      { rejectUnauthorized: true, ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' },
    );
    // A CA alone means verifying against it.
    assert.deepEqual(pgOptions({ DATABASE_SSL_ROOT_CERT_PATH: ca }).ssl, { rejectUnauthorized: true, ca: 'CA PEM' });
  });

  it('names each inconsistent or unreadable setting', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ DATABASE_SSL_CERT_PATH: cert }, /DATABASE_SSL_CERT_PATH\/DATABASE_SSL_KEY_PATH: set both/],
      [{ DATABASE_SSL: 'require', DATABASE_SSL_ROOT_CERT_PATH: ca }, /only checked with DATABASE_SSL=verify-full/],
      [{ DATABASE_SSL: 'disable', DATABASE_SSL_ROOT_CERT_PATH: ca }, /DATABASE_SSL: disable, but/],
      [{ DATABASE_SSL: 'require', DATABASE_URL: 'postgres://db/rf?sslmode=require' }, /not both/],
      [
        { DATABASE_SSL_ROOT_CERT_PATH: '/nowhere/ca.pem' },
        /DATABASE_SSL_ROOT_CERT_PATH: cannot read \/nowhere\/ca\.pem \(ENOENT\)/,
      ],
      [{ DATABASE_SSL: 'verify' }, /DATABASE_SSL/],
    ];
    for (const [env, message] of cases) assert.throws(() => loadConfig(env), message, JSON.stringify(env));
  });
});

describe('Temporal TLS by configuration', () => {
  it('passes the server CA, server name and client certificate to the connection', () => {
    const cfg = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
    });
    const { address, tls } = temporalConnectionOptions(cfg.temporal);
    assert.equal(address, 'temporal.internal:7233');
    assert.ok(tls && typeof tls === 'object');
    const text = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString();
    assert.equal(text(tls.serverRootCACertificate), 'CA PEM');
    assert.equal(tls.serverNameOverride, 'temporal.internal');
    assert.equal(text(tls.clientCertPair?.crt), 'CERT PEM');
    assert.equal(text(tls.clientCertPair?.key), 'KEY PEM');
  });

  it('connects in plain text unless TLS is asked for', () => {
    assert.equal(temporalConnectionOptions(loadConfig({}).temporal).tls, false);
    // TLS with the system's CAs: an options object with nothing overridden.
    const tls = temporalConnectionOptions(loadConfig({ TEMPORAL_TLS: 'true' }).temporal).tls;
    assert.ok(tls && typeof tls === 'object');
    assert.deepEqual(Object.values(tls).filter(Boolean), []);
  });
});
