import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slidingWindow } from '../../workflows/slidingWindow.ts';

/** Items that settle only when the test says so, recording how many are in flight. */
function gate() {
  const open = new Map<number, () => void>();
  const order: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const start = (item: number) =>
    new Promise<void>((resolve) => {
      order.push(item);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      open.set(item, () => {
        inFlight--;
        resolve();
      });
    });
  const tick = () => new Promise((r) => setImmediate(r));
  return {
    start,
    order,
    open,
    tick,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

describe('slidingWindow', () => {
  it('never has more than `concurrency` in flight, starts in order and the next as soon as one settles', async () => {
    const g = gate();
    const done = slidingWindow([0, 1, 2, 3, 4, 5], 2, g.start);
    await g.tick();
    assert.deepEqual(g.order, [0, 1]);
    g.open.get(1)!();
    await g.tick();
    assert.deepEqual(g.order, [0, 1, 2]);
    for (let i = 0; i < 6; i++) {
      for (const [item, settle] of g.open) {
        g.open.delete(item);
        settle();
      }
      await g.tick();
    }
    assert.equal(await done, 6);
    assert.deepEqual(g.order, [0, 1, 2, 3, 4, 5]);
    assert.equal(g.maxInFlight, 2);
  });

  it('starts none of the rest once stopped, waits for those in flight and says how many it started', async () => {
    const g = gate();
    let stopped = false;
    const done = slidingWindow([0, 1, 2, 3], 2, g.start, () => stopped);
    await g.tick();
    stopped = true;
    g.open.get(0)!();
    await g.tick();
    let settled = false;
    void done.then(() => {
      settled = true;
    });
    await g.tick();
    assert.equal(settled, false, 'item 1 is still in flight');
    g.open.get(1)!();
    assert.equal(await done, 2);
    assert.deepEqual(g.order, [0, 1]);
  });

  it('rejects with a failing item and starts no more', async () => {
    const started: number[] = [];
    const done = slidingWindow([0, 1, 2], 1, (item) => {
      started.push(item);
      return item === 1 ? Promise.reject(new Error('shard 1 failed')) : Promise.resolve();
    });
    await assert.rejects(done, /shard 1 failed/);
    assert.deepEqual(started, [0, 1]);
  });

  it('refuses a concurrency below 1 as invalid input instead of waiting forever', async () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(
        slidingWindow([1], concurrency, () => Promise.resolve()),
        (err: Error & { type?: string; nonRetryable?: boolean }) =>
          err.type === 'InvalidInput' &&
          err.nonRetryable === true &&
          /^concurrency: must be a whole number of at least 1, got /.test(err.message),
      );
    }
  });
});
