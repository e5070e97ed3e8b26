// The seeded random choices of the tree learners (bootstrap rows, row and feature subsamples):
// one generator per fit, so the same seed gives the same model.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface Random {
  /** An integer in [0, n). */
  below(n: number): number;
}

export function seededRandom(seed: number): Random {
  const rng = xoroshiro128plus(seed);
  return { below: (n) => uniformInt(rng, 0, n - 1) };
}

/** k distinct integers of [0, n) in increasing order (a partial Fisher–Yates shuffle). */
export function sampleWithoutReplacement(random: Random, n: number, k: number): Int32Array {
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + random.below(n - i);
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.subarray(0, k).sort();
}
