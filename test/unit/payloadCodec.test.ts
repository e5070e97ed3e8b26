import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ConfigError, loadConfig } from '../../platform/config.ts';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  loadPayloadKeys,
  newPayloadKeyEntry,
  PayloadKeyRing,
} from '../../platform/payloadCodec.ts';

const text = (bytes: Uint8Array | null | undefined) => new TextDecoder().decode(bytes ?? undefined);
const input = { date: '2026-11-22', store: 17, secret: 'customer 17850 spent 4,310.00' };
const plain = (): Payload => defaultPayloadConverter.toPayload(input);
/** A payload's metadata and data as text: equal payloads compare equal whatever their byte containers. */
const shape = (p: Payload | undefined) => ({
  metadata: Object.fromEntries(Object.entries(p?.metadata ?? {}).map(([k, v]) => [k, text(v)])),
  data: text(p?.data),
});
const ring = (...entries: string[]) => PayloadKeyRing.parse(entries.join(','), 'test');

async function rejected(p: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('AES-256-GCM payload codec', () => {
  const k1 = newPayloadKeyEntry('k1');
  const k2 = newPayloadKeyEntry('k2');

  it('encrypts with the current key, naming it in the metadata, and decrypts back to the same payload', async () => {
    const codec = new AesGcmPayloadCodec(ring(k1));
    const [encrypted] = await codec.encode([plain()]);
    assert.equal(text(encrypted!.metadata!.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encrypted!.metadata![KEY_ID_METADATA]), 'k1');
    assert.ok(!Buffer.from(encrypted!.data!).toString('latin1').includes('17850'), 'no plain text in the payload');
    const [decoded] = await codec.decode([encrypted!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), input);
    assert.deepEqual(shape(decoded), shape(plain()));
    // A fresh IV each time: the same payload never encrypts to the same bytes.
    const [again] = await codec.encode([plain()]);
    assert.notDeepEqual(again!.data, encrypted!.data);
  });

  it('rotates: after k2 becomes current, payloads of k1 still decrypt and new ones use k2', async () => {
    const [old] = await new AesGcmPayloadCodec(ring(k1)).encode([plain()]);
    const rotated = new AesGcmPayloadCodec(ring(k2, k1));
    assert.deepEqual((await rotated.decode([old!])).map(shape), [shape(plain())]);
    const [fresh] = await rotated.encode([plain()]);
    assert.equal(text(fresh!.metadata![KEY_ID_METADATA]), 'k2');
    // A process that has only k1 cannot read it.
    const err = await rejected(new AesGcmPayloadCodec(ring(k1)).decode([fresh!]));
    assert.equal(err.type, 'PayloadDecryptionFailed');
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /key "k2", which this process does not have \(it has "k1"\)/);
  });

  it('rejects a payload whose ciphertext, tag or key id was altered', async () => {
    const codec = new AesGcmPayloadCodec(ring(k1, k2));
    const [encrypted] = await codec.encode([plain()]);
    const flipped = (at: number): Payload => {
      const data = Buffer.from(encrypted!.data!);
      data[at]! ^= 1;
      return { ...encrypted!, data };
    };
    for (const at of [20, encrypted!.data!.length - 1]) {
      const err = await rejected(codec.decode([flipped(at)]));
      assert.match(err.message, /key "k1"\) failed authentication: altered or corrupt/);
    }
    const relabelled = { ...encrypted!, metadata: { ...encrypted!.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    assert.match((await rejected(codec.decode([relabelled]))).message, /key "k2"\) failed authentication/);
    const truncated = { ...encrypted!, data: encrypted!.data!.subarray(0, 10) };
    assert.match((await rejected(codec.decode([truncated]))).message, /truncated/);
  });

  it('passes unencrypted payloads (histories from before encryption) through', async () => {
    const codec = new AesGcmPayloadCodec(ring(k1));
    assert.deepEqual(await codec.decode([plain()]), [plain()]);
  });

  it('parses key entries strictly, naming the source and never a key', () => {
    assert.throws(() => PayloadKeyRing.parse('', 'PAYLOAD_KEYS'), /PAYLOAD_KEYS: no payload key/);
    assert.throws(() => PayloadKeyRing.parse('k1:c2hvcnQ=', 'PAYLOAD_KEYS'), /key "k1" must be 32 bytes.*got 5 bytes/);
    assert.throws(() => PayloadKeyRing.parse(`bad id:${k1.split(':')[1]}`, 'X'), /X: entry 1 must be id:base64key/);
    assert.throws(() => PayloadKeyRing.parse(`${k1},${k1}`, 'X'), /key id "k1" appears twice/);
    const keys = ring(k2, k1);
    assert.equal(keys.currentId, 'k2');
    const shown = `${JSON.stringify({ keys })} ${inspect(keys)}`;
    for (const entry of [k1, k2]) assert.ok(!shown.includes(entry.split(':')[1]!), 'a key leaked into the output');
  });

  it('takes keys from PAYLOAD_KEYS, PAYLOAD_KEYS_FILE or the local stack file; external mode must set one', () => {
    const inline = loadConfig({ PAYLOAD_KEYS: `${k2},${k1}` }).temporal.payloadKeys;
    assert.deepEqual(loadPayloadKeys(inline).ids, ['k2', 'k1']);
    assert.deepEqual(loadConfig({ PAYLOAD_KEYS_FILE: '/run/secrets/keys' }).temporal.payloadKeys, {
      file: '/run/secrets/keys',
    });
    assert.deepEqual(loadConfig({ RETAILFLOW_DATA_DIR: '/tmp/rf' }).temporal.payloadKeys, {
      file: '/tmp/rf/payload-keys',
    });
    assert.throws(
      () => loadPayloadKeys({ file: '/nowhere/payload-keys' }),
      /PAYLOAD_KEYS_FILE \/nowhere\/payload-keys: cannot read it \(ENOENT\)/,
    );
    const err = (() => {
      try {
        loadConfig({ PAYLOAD_KEYS: 'k1:short' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /PAYLOAD_KEYS: key "k1" must be 32 bytes/);
    assert.throws(
      () => loadConfig({ RETAILFLOW_STACK: 'external', DATABASE_URL: 'postgres://db/rf', TEMPORAL_ADDRESS: 't:7233' }),
      /PAYLOAD_KEYS or PAYLOAD_KEYS_FILE: required when RETAILFLOW_STACK=external/,
    );
  });
});
