import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { existsSync } from 'node:fs';
import { postgresDataDir } from '../../scripts/stack/services.ts';
import { stackDown, stackStatus, stackUp, stackWipe } from '../../scripts/stack/stack.ts';
import { freePort, testConfig } from '../helpers/stack.ts';

// A one-service stack (GCS only: it starts in a fraction of a second) in its own data dir;
// the other services point at the running test stack, so they are not managed here.
function gcsOnlyConfig(gcsPort: number, dataDir: string) {
  const base = testConfig();
  return testConfig({
    RETAILFLOW_DATA_DIR: dataDir,
    GCS_PORT: String(gcsPort),
    TEMPORAL_ADDRESS: base.temporal.address,
    DATABASE_URL: base.postgres.url,
    BIGQUERY_ENDPOINT: base.bigquery.endpoint!,
    PROMETHEUS_URL: base.metrics.prometheusUrl,
  });
}

describe('local stack lifecycle', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'rf-stack-'));
    dirs.push(d);
    return d;
  };
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('the test stack is up, and a second up starts nothing', async () => {
    const cfg = testConfig();
    assert.deepEqual(await stackUp(cfg), []);
    const status = await stackStatus(cfg);
    assert.deepEqual(status.map((s) => [s.name, s.healthy]).sort(), [
      ['bigquery', true],
      ['gcs', true],
      ['postgres', true],
      ['prometheus', true],
      ['temporal', true],
    ]);
  });

  it('starts, reports and stops a service', async () => {
    const cfg = gcsOnlyConfig(await freePort(), await tempDir());
    try {
      assert.deepEqual(await stackUp(cfg), ['gcs']);
      const [gcs] = await stackStatus(cfg);
      assert.equal(gcs?.healthy, true);
      assert.ok(gcs?.pid);
    } finally {
      await stackDown(cfg);
    }
    const [after] = await stackStatus(cfg);
    assert.equal(after?.healthy, false);
    assert.equal(after?.pid, undefined);
  });

  it('restarts a service that was killed with SIGKILL', async () => {
    const cfg = gcsOnlyConfig(await freePort(), await tempDir());
    try {
      await stackUp(cfg);
      const [gcs] = await stackStatus(cfg);
      process.kill(gcs!.pid!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(await stackUp(cfg), ['gcs']);
      assert.equal((await stackStatus(cfg))[0]?.healthy, true);
    } finally {
      await stackDown(cfg);
    }
  });

  it('runs Postgres from a data dir its user cannot reach (a checkout under /root, a 0700 temp dir)', async () => {
    const dataDir = await tempDir(); // mkdtemp makes it mode 0700
    const base = testConfig();
    const cfg = testConfig({
      RETAILFLOW_DATA_DIR: dataDir,
      POSTGRES_PORT: String(await freePort()),
      TEMPORAL_ADDRESS: base.temporal.address,
      GCS_ENDPOINT: base.gcs.endpoint!,
      BIGQUERY_ENDPOINT: base.bigquery.endpoint!,
      PROMETHEUS_URL: base.metrics.prometheusUrl,
    });
    const pgdata = await postgresDataDir(dataDir);
    if (process.getuid?.() === 0) assert.match(pgdata, /^\/var\/tmp\/retailflow-postgres\/[0-9a-f]{16}$/);
    else assert.equal(pgdata, path.join(dataDir, 'postgres'));
    try {
      assert.deepEqual(await stackUp(cfg), ['postgres']);
      assert.ok(existsSync(path.join(pgdata, 'PG_VERSION')));
    } finally {
      await stackWipe(cfg);
    }
    assert.equal(existsSync(pgdata), false, 'wiping the stack removes its Postgres files too');
  });

  it('names the port and the process holding it when a port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const cfg = gcsOnlyConfig(port, await tempDir());
      await assert.rejects(stackUp(cfg), (err: Error) => {
        assert.match(err.message, new RegExp(`gcs: port ${port} is already in use by pid ${process.pid} \\(`));
        assert.match(err.message, /GCS_PORT=<port>/);
        return true;
      });
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
