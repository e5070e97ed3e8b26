// The local stack's secrets, kept in the data dir (mode 0600) and never printed: an admin API key for
// `npm start` and the key that encrypts Temporal payloads.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { newPayloadKeyEntry } from '../platform/payloadCodec.ts';

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

/**
 * The local stack's payload key file (mode 0600), created with one key when missing. Written to a
 * temporary name and linked into place, so a process starting meanwhile never reads half a file.
 */
export async function ensureLocalPayloadKeys(file: string): Promise<void> {
  if (existsSync(file)) return;
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${newPayloadKeyEntry(`local-${new Date().toISOString().slice(0, 10)}`)}\n`, { mode: 0o600 });
  try {
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}
