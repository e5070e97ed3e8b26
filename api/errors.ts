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

const HTTP_CODES: Partial<Record<number, [string, string?]>> = {
  400: ['invalid_json', 'body'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
};

export function errorHandler(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.field), err.status);
    if (err instanceof HTTPException) {
      // Raised by Hono's own checks before a route runs: bad JSON, a media type the route does not take.
      const [code, field] = HTTP_CODES[err.status] ?? ['http_error'];
      return c.json(errorBody(code, err.message || 'request failed', field), err.status);
    }
    log.error({ err, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal', 'internal error; see the API log'), 500);
  };
}
