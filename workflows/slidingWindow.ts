// The one sliding window of the workflows: a new item starts as soon as one settles, never more
// than `concurrency` at a time. Plain promises only, so it is deterministic in a workflow and
// testable outside one. Items start in order, so a workflow's command sequence is the items' order.
import { invalidInput } from '../contracts/failures.ts';

/**
 * Starts `start(item)` for each item in order, at most `concurrency` in flight, and waits for all it
 * started. Once `stop()` is true (checked before each start) it starts none of the rest. If a start
 * rejects, the window rejects with it and starts no more. Returns how many it started.
 */
export async function slidingWindow<T>(
  items: readonly T[],
  concurrency: number,
  start: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<number> {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw invalidInput('concurrency', `must be a whole number of at least 1, got ${concurrency}`);
  const running = new Set<Promise<void>>();
  let started = 0;
  for (const item of items) {
    if (running.size >= concurrency) await Promise.race(running);
    if (stop()) break;
    const p: Promise<void> = start(item).finally(() => running.delete(p));
    running.add(p);
    started++;
  }
  await Promise.all(running);
  return started;
}
