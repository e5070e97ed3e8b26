// One error shape for every response: {error: {code, message, field?}}.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../platform/logger.ts';
import { DependencyUnavailable, outageLog, type Dependency } from '../platform/outage.ts';
import { isPostgresUnavailable } from '../platform/postgres.ts';
import { missingSearchAttribute } from '../platform/searchAttributes.ts';
import { isTemporalUnavailable } from '../platform/temporal.ts';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The one not-found error of every route: what was looked for, and the field that named it when there is one. */
export const notFound = (message: string, field?: string): ApiError => new ApiError(404, 'not_found', message, field);

export function errorBody(code: string, message: string, field?: string, dependency?: Dependency) {
  return { error: { code, message, ...(field ? { field } : {}), ...(dependency ? { dependency } : {}) } };
}

/** Seconds a client is asked to wait before retrying while a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

/** Which dependency an error says is down, if any. */
export function unavailableDependency(err: unknown): Dependency | undefined {
  if (err instanceof DependencyUnavailable) return err.dependency;
  if (isTemporalUnavailable(err)) return 'temporal';
  if (isPostgresUnavailable(err)) return 'postgres';
  return undefined;
}

const HTTP_CODES: Partial<Record<number, [string, string?]>> = {
  400: ['invalid_json', 'body'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
};

export function errorHandler(log: Logger) {
  const outages = { postgres: outageLog(log, 'postgres'), temporal: outageLog(log, 'temporal') };
  return (err: Error, c: Context) => {
    if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.field), err.status);
    const dependency = unavailableDependency(err);
    if (dependency) {
      // An outage is logged once, not per request; the client is told which service and when to retry.
      outages[dependency].down(err);
      c.header('Retry-After', String(RETRY_AFTER_SECONDS));
      return c.json(
        errorBody(
          'service_unavailable',
          `${dependency} is unavailable; try again in a few seconds`,
          undefined,
          dependency,
        ),
        503,
      );
    }
    if (err instanceof HTTPException) {
      // Raised by Hono's own checks before a route runs: bad JSON, a media type the route does not take.
      const [code, field] = HTTP_CODES[err.status] ?? ['http_error'];
      return c.json(errorBody(code, err.message || 'request failed', field), err.status);
    }
    const attribute = missingSearchAttribute(err);
    if (attribute) {
      // A namespace no worker has started in yet (workers register the attributes; Temporal Cloud needs them added).
      log.error({ err, path: c.req.path }, 'the Temporal namespace lacks a search attribute');
      return c.json(
        errorBody(
          'service_unavailable',
          `the Temporal namespace has no search attribute ${attribute}: start a worker (it registers them) or add them (README, "Finding runs in Temporal")`,
          undefined,
          'temporal',
        ),
        503,
      );
    }
    log.error({ err, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal', 'internal error; see the API log'), 500);
  };
}
