// A local admin API key for `npm start`, kept in the data dir (mode 0600) and never printed.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const LOCAL_KEY_NAME = 'local-admin';

/** Sets API_KEYS to a generated admin key unless the user configured keys; returns the key file. */
export async function ensureLocalApiKey(dataDir: string): Promise<string | undefined> {
  if (process.env.API_KEYS) return undefined;
  const file = path.join(dataDir, 'api-key');
  if (!existsSync(file)) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
  }
  process.env.API_KEYS = `${LOCAL_KEY_NAME}:admin:${(await readFile(file, 'utf8')).trim()}`;
  return file;
}
