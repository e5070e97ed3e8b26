// Bearer API keys with roles; admin includes write, write includes read.
import { createMiddleware } from 'hono/factory';
import type { ApiKey, ApiRole } from '../platform/config.ts';
import { ApiError } from './errors.ts';
import type { KeyRing } from '../platform/keys.ts';

const RANK: Record<ApiRole, number> = { read: 0, write: 1, admin: 2 };

export type AuthEnv = { Variables: { apiKey: ApiKey } };

export function requireRole(keys: KeyRing, role: ApiRole) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new ApiError(401, 'unauthorized', 'an API key is required: Authorization: Bearer <key>');
    const key = await keys.find(match[1]);
    if (!key) throw new ApiError(401, 'unauthorized', 'unknown API key');
    if (RANK[key.role] < RANK[role])
      throw new ApiError(403, 'forbidden', `this endpoint needs the ${role} role; key "${key.name}" has ${key.role}`);
    c.set('apiKey', key);
    await next();
  });
}
