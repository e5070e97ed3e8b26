// Routes are declared with zod schemas (@hono/zod-openapi): the same schemas check requests and
// make the OpenAPI document. This module holds what the routers share: the router itself, whose
// failed checks become our 400 naming the field, and the common schemas and responses.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';
import type { ZodError } from 'zod';
import { MAX_INT, PRODUCT_NAME } from '../domain/sales.ts';
import { ApiError } from './errors.ts';

/** The 400 of a failed request check: its first issue, naming the field (an unexpected one in the message). */
export function requestProblem(error: ZodError, target: string): ApiError {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || (target === 'json' ? 'body' : target);
  const message =
    issue.code === 'unrecognized_keys'
      ? `${issue.keys.map((k) => JSON.stringify(k)).join(', ')} ${issue.keys.length > 1 ? 'are not fields' : 'is not a field'} of this request`
      : issue.message;
  return new ApiError(400, 'invalid_request', `${field}: ${message}`, field);
}

/** A router whose request checks answer 400 {error: {code, message, field}}. */
export function router<E extends Env = Env>() {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) throw requestProblem(result.error, result.target);
    },
  });
}

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_request' }),
      message: z.string().openapi({ example: 'store: must be a store number (a whole number >= 1), got "x"' }),
      field: z.string().optional().openapi({ description: 'the request field that is wrong, when one is' }),
      dependency: z
        .enum(['postgres', 'temporal'])
        .optional()
        .openapi({ description: 'with 503: the service that does not answer' }),
    }),
  })
  .openapi('Error');

const ERROR_DESCRIPTIONS = {
  400: 'a field is missing or wrong; `field` names it',
  401: 'no API key, or an unknown one',
  403: 'the key lacks the role this endpoint needs',
  404: 'no such store, series, version or run',
  409: 'the resource is in a state that forbids this',
  413: 'the request body is too large',
  429: 'too many requests with this key; Retry-After says when to try again',
  503: 'a service the API needs does not answer; `dependency` names it and Retry-After says when to try again',
} as const;

/** The error responses a route can give, in the one error shape. */
type ErrorResponse = { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } };

/** These statuses, and 503: any route that reads or starts something can meet a dependency that is down. */
export function errors<S extends keyof typeof ERROR_DESCRIPTIONS>(...statuses: S[]): Record<S | 503, ErrorResponse> {
  const responses = {} as Record<S | 503, ErrorResponse>;
  for (const s of [...statuses, 503 as const])
    responses[s] = { description: ERROR_DESCRIPTIONS[s], content: { 'application/json': { schema: ErrorSchema } } };
  return responses;
}

/** A JSON response (or request body) of this schema. */
export const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** Routes that need an API key: `Authorization: Bearer <key>`. */
export const BEARER = [{ bearer: [] }];

const STORE_NUMBER = `a store number (a whole number from 1 to ${MAX_INT})`;
export const StoreId = z
  .string()
  .regex(/^\d+$/, { error: (i) => `must be ${STORE_NUMBER}, got "${String(i.input)}"` })
  .transform(Number)
  .refine((n) => n >= 1 && n <= MAX_INT, { error: (i) => `must be ${STORE_NUMBER}, got ${String(i.input)}` })
  .openapi({ example: '1', description: 'a store number' });

export const ProductName = z
  .string()
  .regex(PRODUCT_NAME, { error: (i) => `must be a product name (letters, digits, _ . -), got "${String(i.input)}"` })
  .openapi({ example: 'all', description: 'the series\' product; "all" for a store\'s total sales' });

/** What starting a workflow answers. */
export const StartedSchema = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    temporalUrl: z.string().openapi({ description: 'the workflow in the Temporal Web UI' }),
  })
  .openapi('StartedWorkflow');

/** The `limit` query parameter of a list. */
export const Limit = z
  .string()
  .optional()
  .transform((v) => (v === undefined ? 50 : Number(v)))
  .refine((n) => Number.isInteger(n) && n >= 1 && n <= 500, { error: 'must be a whole number from 1 to 500' })
  .openapi({ example: '50', description: 'how many, newest first: 1 to 500, default 50' });
