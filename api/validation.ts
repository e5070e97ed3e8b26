// A JSON body read by hand (for routes that check their items one by one): bad JSON is a 400.
import type { Context } from 'hono';
import { ApiError } from './errors.ts';

export async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON', 'body');
  }
}
