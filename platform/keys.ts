// Where the API finds a presented key: the keys configured in API_KEYS, then the api_keys table
// (`npm run keys`). Only sha256 digests are compared or stored. Table lookups are kept briefly, so
// a request costs no query and a revoked key stops working within KEY_CACHE_MS.
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
      const { rows: [row] } = await pool.query<{ name: string; role: ApiRole }>(
        'SELECT name, role FROM api_keys WHERE sha256 = $1 AND revoked_at IS NULL', [digest]);
      const key = row ? { name: row.name, role: row.role, sha256: digest } : undefined;
      // Unknown keys are remembered too, so guessing costs no query each; the map stays bounded.
      if (looked.size >= MAX_CACHED) looked.clear();
      looked.set(digest, { key, until: Date.now() + KEY_CACHE_MS });
      return key;
    },
  };
}
