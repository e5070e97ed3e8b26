import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObjectStore } from '../../platform/storage.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

describe('storage adapter against fake-gcs-server', () => {
  const store = new ObjectStore(testConfig().gcs);

  it('writes, reads and replaces an object under a deterministic name', async () => {
    const name = `tests/${uniqueId('obj')}.ndjson`;
    assert.equal(await store.exists(name), false);
    const uri = await store.write(name, '{"a":1}\n', 'application/x-ndjson');
    assert.equal(uri, `gs://${store.bucketName}/${name}`);
    assert.equal((await store.read(name)).toString(), '{"a":1}\n');
    await store.write(name, '{"a":2}\n');
    assert.equal((await store.read(name)).toString(), '{"a":2}\n', 'a rewrite replaces, never appends');
    const [files] = await store.client.bucket(store.bucketName).getFiles({ prefix: name });
    assert.equal(files.length, 1);
  });

  it('creates a missing bucket idempotently', async () => {
    const other = new ObjectStore({ ...testConfig().gcs, bucket: uniqueId('bucket').toLowerCase() });
    await Promise.all([other.ensureBucket(), other.ensureBucket()]);
    await other.ensureBucket();
    const [exists] = await other.client.bucket(other.bucketName).exists();
    assert.equal(exists, true);
  });

  it('reports a missing object as an error naming it', async () => {
    await assert.rejects(
      store.read('tests/does-not-exist.json'),
      new RegExp(`object gs://${store.bucketName}/tests/does-not-exist\\.json does not exist`),
    );
  });
});
