// A JSON body read by hand (for routes that check their items one by one): bad JSON is a 400.
// Python's json.dumps writes NaN and Infinity, which JSON has not: that 400 names the field.
import type { Context } from 'hono';
import { ApiError } from './errors.ts';

const NOT_A_NUMBER = /"((?:[^"\\]|\\.)*)"\s*:\s*(-?(?:NaN|Infinity))\b/;

export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch {
    const bad = NOT_A_NUMBER.exec(text);
    if (bad)
      throw new ApiError(
        400,
        'invalid_request',
        `${bad[1]}: is ${bad[2]}, not a number (JSON has no ${bad[2]}; send null for an unknown value)`,
        bad[1],
      );
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON', 'body');
  }
}
