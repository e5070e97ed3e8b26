// Plain SQL migrations from db/migrations, applied in order, each in its own transaction,
// recorded in schema_migrations, and guarded by an advisory lock so two processes never race.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../db/migrations');
const FILE_NAME = /^(\d{3,})_([a-z0-9_]+)\.sql$/;
// Any constant works; it only has to be the same in every process of this project.
const LOCK_KEY = 7_420_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}
export interface AppliedMigration {
  version: number;
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Parses migration files (name -> SQL) into an ordered list; rejects bad names and duplicate versions. */
export function parseMigrations(files: Record<string, string>): Migration[] {
  const migrations: Migration[] = [];
  for (const [file, sql] of Object.entries(files)) {
    const m = FILE_NAME.exec(file);
    if (!m) throw new MigrationError(`migration file "${file}" must be named NNN_lowercase_name.sql`);
    const version = Number(m[1]);
    const clash = migrations.find((x) => x.version === version);
    if (clash) throw new MigrationError(`migrations "${file}" and "${clash.name}" share version ${version}`);
    migrations.push({ version, name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations.sort((a, b) => a.version - b.version);
}

/** The migrations still to apply; an edited or vanished applied migration is an error, never re-run. */
export function pendingMigrations(all: Migration[], applied: AppliedMigration[]): Migration[] {
  const byVersion = new Map(all.map((m) => [m.version, m]));
  for (const a of applied) {
    const m = byVersion.get(a.version);
    if (!m) throw new MigrationError(`database has migration ${a.version} applied, but no file for it exists`);
    if (m.checksum !== a.checksum) {
      throw new MigrationError(`migration ${m.name} was edited after it was applied; add a new migration instead`);
    }
  }
  const done = new Set(applied.map((a) => a.version));
  return all.filter((m) => !done.has(m.version));
}

export async function readMigrationFiles(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((f) => f.endsWith('.sql'));
  const files = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await readFile(path.join(dir, n), 'utf8')] as const)),
  );
  return parseMigrations(files);
}

/** Applies pending migrations; returns the names applied by this call. */
export async function migrate(pool: pg.Pool, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await readMigrationFiles());
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<AppliedMigration>(
      'SELECT version, checksum FROM schema_migrations ORDER BY version',
    );
    const applied: string[] = [];
    for (const m of pendingMigrations(all, rows)) {
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new MigrationError(`migration ${m.name} failed: ${(err as Error).message}`);
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}
