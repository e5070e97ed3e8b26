// `npm run keys -- <command>`: API keys kept in Postgres (only their sha256), for the running API.
//   create --name NAME --role read|write|admin   makes a key and prints it once
//   list                                         names, roles, when made, whether revoked
//   revoke --name NAME                           the key stops working within 30 s
// Keys can also be given by environment: API_KEYS=name:role:key or name:role:sha256=<hex>.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { API_ROLES, config, type ApiRole } from '../platform/config.ts';
import { createKey, listKeys, revokeKey } from '../platform/keys.ts';
import { runMain } from '../platform/main.ts';
import { createPool } from '../platform/postgres.ts';

const USAGE = 'usage: npm run keys -- create --name NAME --role read|write|admin | list | revoke --name NAME';

runMain('keys', async () => {
  const {
    positionals: [command],
    values,
  } = parseArgs({ allowPositionals: true, options: { name: { type: 'string' }, role: { type: 'string' } } });
  const pool = createPool(config().postgres, 'retailflow-keys');
  try {
    if (command === 'create') {
      const { name, role } = values;
      if (!name || !/^[A-Za-z0-9_.-]{1,64}$/.test(name))
        throw new Error(`--name: letters, digits, _ . - (1 to 64)\n${USAGE}`);
      if (!API_ROLES.includes(role as ApiRole)) throw new Error(`--role: one of ${API_ROLES.join(', ')}\n${USAGE}`);
      const key = `rf_${randomBytes(24).toString('base64url')}`;
      if (!(await createKey(pool, name, role as ApiRole, key)))
        throw new Error(`a key named "${name}" exists already; revoke it or pick another name`);
      console.error(`[keys] created "${name}" (${role}). The key is shown once, below; only its hash is kept:`);
      console.log(key);
    } else if (command === 'list') {
      const rows = await listKeys(pool);
      for (const r of rows)
        console.log(
          `${r.name}\t${r.role}\tcreated ${r.created_at.toISOString()}${r.revoked_at ? `\trevoked ${r.revoked_at.toISOString()}` : ''}`,
        );
      if (!rows.length) console.error('[keys] no keys in the database (keys from API_KEYS are not listed)');
    } else if (command === 'revoke') {
      if (!(await revokeKey(pool, values.name ?? ''))) throw new Error(`no active key named "${values.name ?? ''}"`);
      console.error(`[keys] revoked "${values.name}"; the API stops accepting it within 30 s`);
    } else {
      throw new Error(USAGE);
    }
  } finally {
    await pool.end();
  }
});
