// Silhouette score as scikit-learn's silhouette_score (euclidean): per point a = mean distance to
// the rest of its cluster, b = the lowest mean distance to another cluster, s = (b - a) / max(a, b),
// 0 for a point alone in its cluster; the score is the mean of s. Exact is O(n^2): above
// EXACT_SILHOUETTE_LIMIT points it is computed exactly on a seeded sample of that many points.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export const EXACT_SILHOUETTE_LIMIT = 20_000;

export function silhouetteScore(points: readonly (readonly number[])[], labels: readonly number[]): number {
  const n = points.length;
  if (labels.length !== n) throw new Error(`silhouetteScore: ${n} points but ${labels.length} labels`);
  const ids = new Map<number, number>();
  const cluster = Int32Array.from(labels, (label) => {
    let id = ids.get(label);
    if (id === undefined) ids.set(label, (id = ids.size));
    return id;
  });
  const k = ids.size;
  if (k < 2 || k > n - 1)
    throw new Error(`silhouetteScore: ${k} clusters among ${n} points; needs 2 to ${n - 1} (points - 1)`);
  const d = points[0]!.length;
  const flat = new Float64Array(n * d);
  points.forEach((p, i) => {
    if (p.length !== d) throw new Error(`silhouetteScore: point ${i} has ${p.length} values, point 0 has ${d}`);
    p.forEach((v, t) => {
      if (!Number.isFinite(v)) throw new Error(`silhouetteScore: point ${i} value ${t} is ${v}, not a number`);
    });
    flat.set(p, i * d);
  });
  const sizes = new Float64Array(k);
  for (const c of cluster) sizes[c]!++;
  // sums[i * k + c]: sum of distances from point i to the points of cluster c
  const sums = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const ci = cluster[i]!;
    const oi = i * d;
    for (let j = i + 1; j < n; j++) {
      const oj = j * d;
      let squared = 0;
      for (let t = 0; t < d; t++) {
        const diff = flat[oi + t]! - flat[oj + t]!;
        squared += diff * diff;
      }
      const distance = Math.sqrt(squared);
      sums[i * k + cluster[j]!]! += distance;
      sums[j * k + ci]! += distance;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const ci = cluster[i]!;
    if (sizes[ci] === 1) continue;
    const a = sums[i * k + ci]! / (sizes[ci]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== ci) b = Math.min(b, sums[i * k + c]! / sizes[c]!);
    const spread = Math.max(a, b);
    if (spread > 0) total += (b - a) / spread;
  }
  return total / n;
}

/** `size` distinct point indexes drawn without replacement, the same for the same seed. */
export function sampleIndexes(n: number, size: number, seed: number): number[] {
  const rng = xoroshiro128plus(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  const take = Math.min(size, n);
  for (let i = 0; i < take; i++) {
    const j = uniformInt(rng, i, n - 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, take);
}

export interface Silhouette {
  score: number;
  /** Points the score was computed on: all of them, or the sample's size above the limit. */
  points: number;
  /** The sample's seed, null when exact. */
  sampleSeed: number | null;
}

/** Exact up to `limit` points, else on a seeded sample of `limit` points. */
export function silhouette(
  points: readonly (readonly number[])[],
  labels: readonly number[],
  { seed = 0, limit = EXACT_SILHOUETTE_LIMIT }: { seed?: number; limit?: number } = {},
): Silhouette {
  if (points.length <= limit)
    return { score: silhouetteScore(points, labels), points: points.length, sampleSeed: null };
  const sample = sampleIndexes(points.length, limit, seed);
  return {
    score: silhouetteScore(
      sample.map((i) => points[i]!),
      sample.map((i) => labels[i]!),
    ),
    points: limit,
    sampleSeed: seed,
  };
}
