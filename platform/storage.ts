// Object storage on @google-cloud/storage: real GCS, or fake-gcs-server when an endpoint is set.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Storage, type File } from '@google-cloud/storage';
import type { Config } from './config.ts';

export class ObjectStore {
  readonly client: Storage;
  readonly bucketName: string;

  constructor(cfg: Config['gcs']) {
    // With a custom apiEndpoint the client sends no credentials, which is what the emulator wants.
    this.client = new Storage({ projectId: cfg.projectId, ...(cfg.endpoint ? { apiEndpoint: cfg.endpoint } : {}) });
    this.bucketName = cfg.bucket;
  }

  file(name: string): File {
    return this.client.bucket(this.bucketName).file(name);
  }

  uri(name: string): string {
    return `gs://${this.bucketName}/${name}`;
  }

  /** Creates the bucket if it is missing; safe to call from several processes at once. */
  async ensureBucket(): Promise<void> {
    const bucket = this.client.bucket(this.bucketName);
    const [exists] = await bucket.exists();
    if (exists) return;
    try {
      await this.client.createBucket(this.bucketName);
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
  }

  /**
   * Writes (or replaces) an object in one request; names are deterministic, so a retry overwrites.
   * Checked by MD5 (native) rather than the client's default CRC32C, which it computes in JavaScript
   * on the event loop: seconds per hundred megabytes.
   */
  async write(name: string, data: string | Buffer, contentType = 'application/octet-stream'): Promise<string> {
    await this.file(name).save(data, { resumable: false, contentType, validation: 'md5' });
    return this.uri(name);
  }

  /** Uploads a local file as an object (replacing it), streaming, checked by MD5; returns its gs:// URI. */
  async upload(localPath: string, name: string, contentType = 'text/csv'): Promise<string> {
    await pipeline(
      createReadStream(localPath),
      this.file(name).createWriteStream({ resumable: false, contentType, validation: 'md5' }),
    );
    return this.uri(name);
  }

  async read(name: string): Promise<Buffer> {
    try {
      const [data] = await this.file(name).download({ validation: 'md5' });
      return data;
    } catch (err) {
      if ((err as { code?: number }).code === 404) throw new Error(`object ${this.uri(name)} does not exist`);
      throw err;
    }
  }

  async exists(name: string): Promise<boolean> {
    const [exists] = await this.file(name).exists();
    return exists;
  }

  /** Cheap round trip used by readiness checks. */
  async ping(): Promise<void> {
    await this.client.bucket(this.bucketName).exists();
  }
}

/** Bytes per ranged read of an object, at most. */
const RANGE_BYTES = 8 << 20;

/**
 * An object's bytes from `start`, as whole ranged downloads with the next one fetched while the
 * last is read: a reader that stops early leaves no download half-read. (An open read stream
 * destroyed mid-way made the emulator drop the chunk's uploads in flight with it.) The first range
 * is small, so that reading starts soon; the next ones grow to RANGE_BYTES.
 */
export async function* objectRanges(file: File, start: number, size: number): AsyncGenerator<Buffer> {
  // A ranged read: no whole-object checksum to validate.
  const range = (from: number, length: number) =>
    file.download({ start: from, end: Math.min(from + length, size) - 1, validation: false }).then(([b]) => b);
  let length = 1 << 20;
  let next = start < size ? range(start, length) : undefined;
  for (let from = start; next;) {
    const current = next;
    from = Math.min(from + length, size);
    length = Math.min(length * 4, RANGE_BYTES);
    next = from < size ? range(from, length) : undefined;
    // A prefetch nobody reads (the chunk ended) must not fail the process.
    next?.catch(() => undefined);
    // Read in 1 MiB slices, as a file stream gives them: batches of lines stay small.
    const bytes = await current;
    for (let i = 0; i < bytes.length; i += 1 << 20) yield bytes.subarray(i, i + (1 << 20));
  }
}
