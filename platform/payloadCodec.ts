// Workflow and activity payloads encrypted with AES-256-GCM before they reach Temporal: the server,
// its database and anyone reading a history see ciphertext. Each payload names the key that
// encrypted it, so keys rotate: the ring's current key encrypts, every key it holds decrypts, and
// a payload written before encryption was on (an old history) passes through unchanged.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApplicationFailure, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

const utf8 = new TextEncoder();
const text = new TextDecoder();

/**
 * The payload keys of a process: `id:base64key` entries (comma- or line-separated), the first the
 * current one. The key bytes sit in a private field, so logging the ring or the config shows none.
 */
export class PayloadKeyRing {
  readonly #keys: Map<string, Buffer>;
  readonly currentId: string;

  private constructor(keys: Map<string, Buffer>, currentId: string) {
    this.#keys = keys;
    this.currentId = currentId;
  }

  /** Parses the entries; errors name `source` (the variable or file) and the entry, never a key. */
  static parse(entries: string, source: string): PayloadKeyRing {
    const keys = new Map<string, Buffer>();
    const list = entries
      .split(/[,\n]/)
      .map((e) => e.trim())
      .filter((e) => e && !e.startsWith('#'));
    if (!list.length) throw new Error(`${source}: no payload key (expected id:base64key entries, the first current)`);
    for (const [i, entry] of list.entries()) {
      const colon = entry.indexOf(':');
      const id = colon > 0 ? entry.slice(0, colon) : '';
      if (!KEY_ID.test(id))
        throw new Error(`${source}: entry ${i + 1} must be id:base64key with an id of letters, digits, . _ -`);
      const key = Buffer.from(entry.slice(colon + 1), 'base64');
      if (key.length !== KEY_BYTES)
        throw new Error(`${source}: key "${id}" must be ${KEY_BYTES} bytes in base64, got ${key.length} bytes`);
      if (keys.has(id)) throw new Error(`${source}: key id "${id}" appears twice`);
      keys.set(id, key);
    }
    return new PayloadKeyRing(keys, list[0]!.slice(0, list[0]!.indexOf(':')));
  }

  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  key(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  toJSON(): { currentId: string; ids: string[] } {
    return { currentId: this.currentId, ids: this.ids };
  }
}

/** A new key entry `id:base64key` of 32 random bytes. */
export const newPayloadKeyEntry = (id: string): string => `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;

/** Where a process's payload keys come from: the ring itself (PAYLOAD_KEYS) or a file (PAYLOAD_KEYS_FILE). */
export type PayloadKeySource = { ring: PayloadKeyRing } | { file: string };

/** The ring of a source; a file is read at each call (clients and workers connect rarely). */
export function loadPayloadKeys(source: PayloadKeySource): PayloadKeyRing {
  if ('ring' in source) return source.ring;
  let entries: string;
  try {
    entries = readFileSync(source.file, 'utf8');
  } catch (err) {
    throw new Error(
      `PAYLOAD_KEYS_FILE ${source.file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ` +
        'the local stack writes it (npm start, npm run stack -- up), or set PAYLOAD_KEYS',
      { cause: err },
    );
  }
  return PayloadKeyRing.parse(entries, `PAYLOAD_KEYS_FILE ${source.file}`);
}

const serialize = (p: Payload) => proto.temporal.api.common.v1.Payload.encode(p).finish();
const deserialize = (bytes: Uint8Array): Payload => proto.temporal.api.common.v1.Payload.decode(bytes);
const encodingOf = (p: Payload) => (p.metadata?.encoding ? text.decode(p.metadata.encoding) : undefined);

/** A non-retryable failure: no retry makes a missing key appear or tampered bytes authentic. */
const decryptFailure = (message: string, cause?: unknown) =>
  ApplicationFailure.create({ type: 'PayloadDecryptionFailed', message, nonRetryable: true, cause: cause as Error });

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly ring: PayloadKeyRing) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(this.encrypt(payloads)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(this.decrypt(payloads)));
  }

  private encrypt(payloads: Payload[]): Payload[] {
    const id = this.ring.currentId;
    const key = this.ring.key(id)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is authenticated too: relabelling a payload with another id fails to decrypt.
      cipher.setAAD(utf8.encode(id));
      const body = Buffer.concat([cipher.update(serialize(payload)), cipher.final()]);
      return {
        metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(id) },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    });
  }

  private decrypt(payloads: Payload[]): Payload[] {
    return payloads.map((payload) => {
      if (encodingOf(payload) !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[KEY_ID_METADATA];
      if (!idBytes) throw decryptFailure(`encrypted payload without the ${KEY_ID_METADATA} metadata`);
      const id = text.decode(idBytes);
      const key = this.ring.key(id);
      if (!key)
        throw decryptFailure(
          `payload encrypted with key "${id}", which this process does not have (it has ${this.ring.ids.map((k) => `"${k}"`).join(', ')}): add it to PAYLOAD_KEYS`,
        );
      const data = payload.data ?? new Uint8Array();
      if (data.length < IV_BYTES + TAG_BYTES) throw decryptFailure(`encrypted payload (key "${id}") is truncated`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
        decipher.setAAD(idBytes);
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return deserialize(plain);
      } catch (err) {
        throw decryptFailure(`encrypted payload (key "${id}") failed authentication: altered or corrupt`, err);
      }
    });
  }
}

/** The data converter every Temporal client, worker and replay of the project uses. */
export const encryptingDataConverter = (ring: PayloadKeyRing): DataConverter => ({
  payloadCodecs: [new AesGcmPayloadCodec(ring)],
});
