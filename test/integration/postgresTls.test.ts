// The configured TLS reaches pg: asked to require TLS, the client insists on it, and the test
// stack's Postgres (plain text on loopback) is refused rather than used unencrypted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPool } from '../../platform/postgres.ts';
import { testConfig } from '../helpers/stack.ts';

describe('Postgres TLS from the configuration', () => {
  it('a pool with DATABASE_SSL=require will not talk to a server without TLS; without it, it does', async () => {
    const tls = createPool(testConfig({ DATABASE_SSL: 'require' }).postgres, 'retailflow-tls-test');
    const plain = createPool(testConfig().postgres, 'retailflow-tls-test');
    try {
      await assert.rejects(tls.query('SELECT 1'), /does not support SSL/);
      assert.equal((await plain.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1);
    } finally {
      await Promise.all([tls.end(), plain.end()]);
    }
  });
});
