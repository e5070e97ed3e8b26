// Request bodies checked with zod; the first problem becomes a 400 naming the field.
import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from './errors.ts';

export async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON', 'body');
  }
}

export async function parseBody<S extends z.ZodType>(c: Context, schema: S, { optional = false } = {}): Promise<z.output<S>> {
  // An optional body may be left out entirely: then every field takes its default.
  const empty = optional && !(await c.req.raw.clone().text()).trim();
  const result = schema.safeParse(empty ? {} : await readJson(c));
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  throw new ApiError(400, 'invalid_request', `${field}: ${issue.message}`, field);
}

/** The `limit` query parameter of a list: 1 to 500, default 50. */
export function parseLimit(c: Context): number {
  const limit = Number(c.req.query('limit') ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ApiError(400, 'invalid_request', 'limit must be a whole number from 1 to 500', 'limit');
  return limit;
}
