// Per-key request budgets for expensive endpoints: past the budget, a 429 that says when to retry.
import { rateLimiter } from 'hono-rate-limiter';
import type { AuthEnv } from './auth.ts';
import { ApiError } from './errors.ts';

/** At most `perMinute` requests per API key per minute; runs after requireRole, which names the key. */
export function perKeyPerMinute(what: string, perMinute: number) {
  return rateLimiter<AuthEnv>({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    keyGenerator: (c) => c.get('apiKey').name,
    handler: (c) => {
      const reset = c.get('rateLimit' as never) as { resetTime?: Date } | undefined;
      const seconds = Math.max(
        1,
        Math.ceil(((reset?.resetTime?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000),
      );
      c.header('Retry-After', String(seconds));
      throw new ApiError(
        429,
        'rate_limited',
        `key "${c.get('apiKey').name}" may start ${perMinute} ${what} per minute; try again in ${seconds} s`,
      );
    },
  });
}
