import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { quantileInPlace, selectInPlace } from '../../ml/select.ts';

// A full sort is the reference: selection must give the same order statistics, to the bit.
describe('order statistics by selection against a sort', () => {
  const rng = xoroshiro128plus(17);
  const random = () => uniformFloat64(rng) * 2 - 1;
  const int = (max: number) => uniformInt(rng, 0, max);
  // Sorted, reversed, many ties, and random: the inputs a selection gets wrong first.
  const inputs = (n: number): Float64Array[] => {
    const values = Float64Array.from({ length: n }, random);
    return [
      values,
      Float64Array.from(values).sort(),
      Float64Array.from(values).sort().reverse(),
      Float64Array.from({ length: n }, () => int(3)),
    ];
  };
  const sortedQuantile = (values: Float64Array, q: number): number => {
    const sorted = Float64Array.from(values).sort();
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  };

  it('puts the k-th smallest at k, nothing larger before it and nothing smaller after', () => {
    for (const n of [1, 2, 3, 10, 101])
      for (const values of inputs(n))
        for (const k of [0, Math.floor(n / 2), n - 1, int(n - 1)]) {
          const sorted = Float64Array.from(values).sort();
          const selected = Float64Array.from(values);
          selectInPlace(selected, k);
          assert.equal(selected[k], sorted[k], `n=${n} k=${k}`);
          for (let i = 0; i < n; i++) assert.ok(i < k ? selected[i]! <= selected[k]! : selected[i]! >= selected[k]!);
          assert.deepEqual(Float64Array.from(selected).sort(), sorted, 'a permutation of the input');
        }
  });

  it('gives the quantiles a sorted array gives, one after another on the same array', () => {
    for (const n of [1, 2, 7, 100, 113])
      for (const values of inputs(n)) {
        const reordered = Float64Array.from(values);
        for (const q of [0.5, 0.025, 0.975, 0, 1, 0.1])
          assert.equal(quantileInPlace(reordered, q), sortedQuantile(values, q), `n=${n} q=${q}`);
      }
  });

  it('refuses an empty array', () => {
    assert.throws(() => quantileInPlace(new Float64Array(0), 0.5), /no values/);
  });
});
