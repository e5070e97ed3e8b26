import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MigrationError, parseMigrations, pendingMigrations, readMigrationFiles } from '../../platform/migrations.ts';

describe('migration planning', () => {
  it('orders migrations by version, not by file order', () => {
    const list = parseMigrations({ '010_b.sql': 'B', '002_a.sql': 'A', '100_c.sql': 'C' });
    assert.deepEqual(
      list.map((m) => m.version),
      [2, 10, 100],
    );
    assert.equal(list[0]?.name, '002_a.sql');
    assert.match(list[0]?.checksum ?? '', /^[0-9a-f]{64}$/);
  });

  it('rejects badly named files and duplicate versions', () => {
    assert.throws(() => parseMigrations({ 'init.sql': '' }), /must be named NNN_lowercase_name\.sql/);
    assert.throws(() => parseMigrations({ '001_a.sql': '', '001_b.sql': '' }), /share version 1/);
  });

  it('returns only what is not applied yet', () => {
    const all = parseMigrations({ '001_a.sql': 'A', '002_b.sql': 'B', '003_c.sql': 'C' });
    const applied = all.slice(0, 2).map(({ version, checksum }) => ({ version, checksum }));
    assert.deepEqual(
      pendingMigrations(all, applied).map((m) => m.name),
      ['003_c.sql'],
    );
    assert.deepEqual(
      pendingMigrations(all, []).map((m) => m.version),
      [1, 2, 3],
    );
  });

  it('refuses an applied migration that was edited or deleted', () => {
    const all = parseMigrations({ '001_a.sql': 'A' });
    assert.throws(() => pendingMigrations(all, [{ version: 1, checksum: 'other' }]), MigrationError);
    assert.throws(
      () =>
        pendingMigrations(all, [
          { version: 1, checksum: all[0]!.checksum },
          { version: 2, checksum: 'x' },
        ]),
      /migration 2 applied, but no file/,
    );
  });

  it("parses the project's own migrations", async () => {
    const list = await readMigrationFiles();
    assert.ok(list.length >= 1);
    assert.deepEqual(
      list.map((m) => m.version),
      [...list.map((m) => m.version)].sort((a, b) => a - b),
    );
  });
});
