// A weekly run's shards: whole stores, within shardSize series each.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shardStoreRanges } from '../../contracts/training.ts';

describe('shardStoreRanges', () => {
  it('packs consecutive stores while the shard stays within shardSize series', () => {
    assert.deepEqual(
      shardStoreRanges(
        [
          [1, 3],
          [2, 3],
          [4, 2],
          [7, 10],
          [9, 1],
        ],
        8,
      ),
      [
        [1, 4, 8],
        [7, 7, 10],
        [9, 9, 1],
      ],
    );
  });

  it('gives a store with more series than shardSize a shard of its own, and no store none', () => {
    const stores: [number, number][] = Array.from({ length: 100 }, (_, i) => [i + 1, (i % 7) + 1]);
    const shards = shardStoreRanges(stores, 5);
    assert.equal(
      shards.reduce((n, s) => n + s[2], 0),
      stores.reduce((n, s) => n + s[1], 0),
    );
    for (const [first, last, series] of shards) assert.ok(series <= 5 || first === last, `${first}-${last}: ${series}`);
    assert.deepEqual(
      shards.flatMap(([first, last]) => stores.filter(([s]) => s >= first && s <= last).map(([s]) => s)),
      stores.map(([s]) => s),
    );
    assert.deepEqual(shardStoreRanges([], 5), []);
  });

  it('refuses a shard size that is not a whole number of at least 1, naming the field', () => {
    assert.throws(() => shardStoreRanges([[1, 1]], 0), /shardSize.*got 0|got 0/);
  });
});
