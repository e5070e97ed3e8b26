import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate, MigrationError, parseMigrations } from '../../platform/migrations.ts';
import { createPool } from '../../platform/postgres.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

// Each run migrates a throwaway database, so the project's own schema is not disturbed.
describe('migration runner against Postgres', () => {
  const cfg = testConfig();
  const dbName = uniqueId('migrate').replace(/-/g, '_');
  const admin = createPool(cfg.postgres);
  let pool: pg.Pool;

  before(async () => {
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(cfg.postgres.url);
    url.pathname = `/${dbName}`;
    pool = createPool({ url: url.toString(), poolMax: 5 });
  });
  after(async () => {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.end();
  });

  const v1 = parseMigrations({
    '001_items.sql': 'CREATE TABLE items (id int PRIMARY KEY);',
    '002_seed.sql': 'INSERT INTO items VALUES (1), (2);',
  });

  it('applies pending migrations once, even when two processes race', async () => {
    const [a, b] = await Promise.all([migrate(pool, v1), migrate(pool, v1)]);
    assert.deepEqual([...a, ...b].sort(), ['001_items.sql', '002_seed.sql']);
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM items');
    assert.equal(rows[0]?.n, 2);
    assert.deepEqual(await migrate(pool, v1), []);
  });

  const more = parseMigrations({ '003_more.sql': 'INSERT INTO items VALUES (3);' });

  it('applies a new migration and records it', async () => {
    assert.deepEqual(await migrate(pool, [...v1, ...more]), ['003_more.sql']);
    const { rows } = await pool.query<{ name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      rows.map((r) => r.name),
      ['001_items.sql', '002_seed.sql', '003_more.sql'],
    );
  });

  it('rolls back a failing migration and names it', async () => {
    const broken = parseMigrations({
      '004_broken.sql': 'INSERT INTO items VALUES (4); INSERT INTO nowhere VALUES (1);',
    });
    await assert.rejects(
      migrate(pool, [...v1, ...more, ...broken]),
      (err: Error) => err instanceof MigrationError && /004_broken\.sql failed/.test(err.message),
    );
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM items WHERE id = 4');
    assert.equal(rows[0]?.n, 0, 'the failed migration left nothing behind');
  });

  it('refuses to run when an applied migration was edited', async () => {
    const edited = parseMigrations({
      '001_items.sql': 'CREATE TABLE items (id bigint PRIMARY KEY);',
      '002_seed.sql': v1[1]!.sql,
    });
    await assert.rejects(migrate(pool, edited), /001_items\.sql was edited after it was applied/);
  });
});
