// API keys: the api_keys table (`npm run keys` creates, lists and revokes them) and the key ring the
// API finds a presented key in: the keys configured in API_KEYS, then the table. Only sha256 digests
// are compared or stored. Table lookups are kept briefly, so a request costs no query and a revoked
// key stops working within KEY_CACHE_MS.
import { timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { keyDigest, type ApiKey, type ApiRole } from '../platform/config.ts';

const KEY_CACHE_MS = 30_000;
const MAX_CACHED = 10_000;

export interface KeyRing {
  find(presented: string): Promise<ApiKey | undefined>;
}

export function keyRing(configured: readonly ApiKey[], pool: pg.Pool): KeyRing {
  const looked = new Map<string, { key: ApiKey | undefined; until: number }>();
  return {
    async find(presented) {
      const digest = keyDigest(presented);
      const bytes = Buffer.from(digest, 'hex');
      const fromEnv = configured.find((k) => timingSafeEqual(Buffer.from(k.sha256, 'hex'), bytes));
      if (fromEnv) return fromEnv;
      const cached = looked.get(digest);
      if (cached && cached.until > Date.now()) return cached.key;
      const {
        rows: [row],
      } = await pool.query<{ name: string; role: ApiRole }>(
        'SELECT name, role FROM api_keys WHERE sha256 = $1 AND revoked_at IS NULL',
        [digest],
      );
      const key = row ? { name: row.name, role: row.role, sha256: digest } : undefined;
      // Unknown keys are remembered too, so guessing costs no query each; the map stays bounded.
      if (looked.size >= MAX_CACHED) looked.clear();
      looked.set(digest, { key, until: Date.now() + KEY_CACHE_MS });
      return key;
    },
  };
}

/** Stores a new key's digest; false if a key of that name exists already. */
export async function createKey(pool: pg.Pool, name: string, role: ApiRole, key: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    'INSERT INTO api_keys (name, role, sha256) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
    [name, role, keyDigest(key)],
  );
  return rowCount === 1;
}

export interface StoredKey {
  name: string;
  role: string;
  created_at: Date;
  revoked_at: Date | null;
}

/** The table's keys, oldest first (keys from API_KEYS are not in it). */
export async function listKeys(pool: pg.Pool): Promise<StoredKey[]> {
  const { rows } = await pool.query<StoredKey>(
    'SELECT name, role, created_at, revoked_at FROM api_keys ORDER BY created_at',
  );
  return rows;
}

/** Revokes a key; false if no active key has that name. */
export async function revokeKey(pool: pg.Pool, name: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    'UPDATE api_keys SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL',
    [name],
  );
  return rowCount === 1;
}
