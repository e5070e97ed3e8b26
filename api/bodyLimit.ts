// Request bodies larger than the limit get 413. Hono's bodyLimit reads `c.req.raw.body` first,
// which makes @hono/node-server build a full web Request (a stream, an AbortSignal) for every
// POST: a fifth of a forecast's cost. So a declared Content-Length is checked here, from the
// header alone, and only bodies of unknown length go through Hono's counting stream.
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';

export function limitBody(maxSize: number, onError: (c: Context) => never) {
  const counting = bodyLimit({ maxSize, onError });
  return createMiddleware(async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined && !c.req.header('transfer-encoding')) {
      if (Number(declared) > maxSize) onError(c);
      return next();
    }
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return counting(c, next);
  });
}
