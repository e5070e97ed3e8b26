// One error shape for every response: {error: {code, message, field?}}.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../platform/logger.ts';

export class ApiError extends Error {
  constructor(readonly status: ContentfulStatusCode, readonly code: string, message: string, readonly field?: string) {
    super(message);
  }
}

export function errorBody(code: string, message: string, field?: string) {
  return { error: { code, message, ...(field ? { field } : {}) } };
}

export function errorHandler(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.field), err.status);
    if (err instanceof HTTPException) {
      const code = err.status === 413 ? 'payload_too_large' : 'http_error';
      return c.json(errorBody(code, err.message || 'request failed'), err.status);
    }
    log.error({ err, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal', 'internal error; see the API log'), 500);
  };
}
