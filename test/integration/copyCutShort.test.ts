// An export whose upload fails while Postgres is still streaming its COPY (GCS down, found by `npm run
// chaos`): the connection it used must not go back to the pool mid-protocol, or the next query on it
// (the activity's retry) waits forever. A pool of one connection makes the retry get that one.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPool } from '../../platform/postgres.ts';
import { exportNdjson } from '../../platform/segmentationWarehouse.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { freePort, testConfig } from '../helpers/stack.ts';

/** Rejects when `work` has not settled in time: the bug is a hang, which would otherwise stall the file. */
async function within<T>(what: string, work: Promise<T>, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung for ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, hung]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a COPY cut short by a failed upload', () => {
  const cfg = testConfig();
  const pool = createPool({ ...cfg.postgres, poolMax: 1 }, 'copy-cut-short');
  after(() => pool.end());

  it('closes its connection, so the next query on the pool answers', async () => {
    // Nothing listens there: the upload fails at once, while the COPY has most of its rows to send.
    const down = new ObjectStore({ ...cfg.gcs, endpoint: `http://127.0.0.1:${await freePort()}` });
    const rows = 'SELECT g AS n, md5(g::text) AS pad FROM generate_series(1, 200000) g';
    for (const attempt of [1, 2])
      await assert.rejects(
        within(`export attempt ${attempt}`, exportNdjson({ pool, store: down }, rows, 'tests/cut-short.ndjson.gz')),
        /ECONNREFUSED/,
      );
    const { rows: answer } = await within('the next query', pool.query<{ one: number }>('SELECT 1 AS one'));
    assert.deepEqual(answer, [{ one: 1 }]);
  });
});
