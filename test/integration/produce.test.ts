import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerType } from '@hono/node-server';
import type { ApiDeps } from '../../api/deps.ts';
import { closeApiDeps, createApiDeps, startServer } from '../../api/server.ts';
import { addDays } from '../../domain/dates.ts';
import { generate } from '../../scripts/data/generate.ts';
import { produce } from '../../scripts/data/produce.ts';
import { freePort, testConfig } from '../helpers/stack.ts';

const KEY = 'producer-key-for-produce-tests';

describe('producer', () => {
  let deps: ApiDeps;
  let server: ServerType;
  let api: string;
  before(async () => {
    const port = await freePort();
    deps = createApiDeps(testConfig({ API_KEYS: `producer:write:${KEY}`, API_PORT: String(port) }));
    server = await startServer(deps);
    api = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    server.close();
    await closeApiDeps(deps);
  });

  it("loads shifted history ending yesterday, then streams the last day as today's events", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-produce-'));
    // No other test writes sales dated around June 2026, so the counts below are this test's own.
    generate(['--out', dir, '--stores', '3', '--from', '2015-05-01', '--to', '2015-07-31', '--seed', '5']);
    const today = '2026-06-15';
    const result = await produce({
      train: path.join(dir, 'train.csv'),
      stores: path.join(dir, 'store.csv'),
      months: 1,
      rate: 1_000,
      batch: 2,
      api,
      apiKey: KEY,
      loop: false,
      today,
      log: () => undefined,
    });
    assert.equal(result.sent, 3, 'one event per store for the final day');
    assert.deepEqual([result.accepted, result.rejected], [3, 0]);
    const { rows } = await deps.pool.query<{ max: string; min: string; n: number }>(
      `SELECT max(date)::text AS max, min(date)::text AS min, count(*)::int AS n FROM sales WHERE date BETWEEN $1 AND $2`,
      [addDays(today, -40), addDays(today, -1)],
    );
    assert.equal(rows[0]?.max, addDays(today, -1), 'history ends yesterday');
    assert.equal(rows[0]?.min, addDays(today, -30), 'about one month of history');
    assert.equal(rows[0]?.n, result.history);
    const { rows: staged } = await deps.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sales_events WHERE sale_date = $1 AND source = 'api:producer'`,
      [today],
    );
    assert.equal(staged[0]?.n, 3);
  });
});
