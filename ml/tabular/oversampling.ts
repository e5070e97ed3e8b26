// Oversampling of the minority class of a binary training set, from the published definitions:
// random (minority rows drawn again with replacement), SMOTE (Chawla et al. 2002, "SMOTE:
// Synthetic Minority Over-sampling Technique", JAIR 16) and ADASYN (He et al. 2008, "ADASYN:
// Adaptive Synthetic Sampling Approach for Imbalanced Learning", IJCNN). Each grows the minority
// class until it is as large as the majority. Applied to a cross-validation fold's training part
// (and to the final training rows), never to held-out or test rows. Pure and seeded; the synthetic
// rows come after the original ones, and each says which rows it came from, so tests can check
// the neighbours used.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { mersenne } from 'pure-rand/generator/mersenne';

export const SAMPLINGS = ['none', 'random', 'smote', 'adasyn'] as const;
export type Sampling = (typeof SAMPLINGS)[number];

/** The trial parameter naming the sampling, as `features` names a feature set. */
export const SAMPLING_PARAM = 'sampling';

export const isSampling = (v: unknown): v is Sampling => (SAMPLINGS as readonly unknown[]).includes(v);

export interface SamplingOptions {
  seed: number;
  /** Nearest neighbours SMOTE and ADASYN look at (both papers' K; 5 as in their experiments). */
  k?: number;
}

/** Where an added row came from: a copy of `base` (random), or `base + gap * (neighbour - base)`. */
export interface AddedRow {
  base: number;
  neighbour?: number;
  gap?: number;
}

export interface Oversampled {
  x: number[][];
  y: number[];
  /** One per row added after the originals, in order. */
  added: AddedRow[];
}

/** The classes' rows: minority (the smaller; 1 on a tie) and majority. */
function classes(y: readonly number[]): { minority: number; minorityRows: number[]; majorityRows: number[] } {
  const ones: number[] = [];
  const zeros: number[] = [];
  y.forEach((v, i) => {
    if (v === 1) ones.push(i);
    else if (v === 0) zeros.push(i);
    else throw new Error(`oversample: target ${i} is ${v}, not 0 or 1`);
  });
  return ones.length <= zeros.length
    ? { minority: 1, minorityRows: ones, majorityRows: zeros }
    : { minority: 0, minorityRows: zeros, majorityRows: ones };
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j]! - b[j]!) ** 2;
  return s;
}

/** The k rows among `candidates` nearest to row `of` (itself excluded), nearest first; ties to the earlier row. */
export function nearestNeighbours(
  x: readonly (readonly number[])[],
  of: number,
  candidates: readonly number[],
  k: number,
): number[] {
  return candidates
    .filter((c) => c !== of)
    .map((c) => [squaredDistance(x[of]!, x[c]!), c] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, c]) => c);
}

/**
 * The training set with its minority class grown to the majority's size by `sampling`. Targets
 * must be 0 or 1. SMOTE and ADASYN need at least two minority rows (a row and a neighbour).
 */
export function oversample(
  x: readonly (readonly number[])[],
  y: readonly number[],
  sampling: Sampling,
  { seed, k = 5 }: SamplingOptions,
): Oversampled {
  if (!isSampling(sampling))
    throw new Error(`oversample: sampling must be one of ${SAMPLINGS.join(', ')}, got ${JSON.stringify(sampling)}`);
  if (x.length !== y.length) throw new Error(`oversample: ${x.length} rows but ${y.length} targets`);
  if (!Number.isInteger(k) || k < 1) throw new Error(`oversample: k must be a whole number of at least 1, got ${k}`);
  const { minority, minorityRows, majorityRows } = classes(y);
  const toAdd = majorityRows.length - minorityRows.length;
  const original = { x: x.map((r) => [...r]), y: [...y] };
  if (sampling === 'none' || toAdd === 0) return { ...original, added: [] };
  if (minorityRows.length === 0) throw new Error(`oversample: no row of class ${minority} to oversample`);
  const rng = mersenne(seed);
  const uniform = () => uniformFloat64(rng);
  const pick = <T>(list: readonly T[]): T => list[uniformInt(rng, 0, list.length - 1)]!;

  let added: AddedRow[];
  if (sampling === 'random') added = Array.from({ length: toAdd }, () => ({ base: pick(minorityRows) }));
  else {
    if (minorityRows.length < 2)
      throw new Error(`oversample: ${sampling} needs at least 2 rows of class ${minority}, got ${minorityRows.length}`);
    const counts =
      sampling === 'smote'
        ? smoteCounts(minorityRows.length, toAdd, rng)
        : adasynCounts(x, y, minority, minorityRows, toAdd, k);
    added = [];
    minorityRows.forEach((base, m) => {
      if (counts[m] === 0) return;
      const neighbours = nearestNeighbours(x, base, minorityRows, k);
      for (let s = 0; s < counts[m]!; s++) added.push({ base, neighbour: pick(neighbours), gap: uniform() });
    });
  }
  for (const { base, neighbour, gap } of added) {
    const b = x[base]!;
    original.x.push(neighbour === undefined ? [...b] : b.map((v, j) => v + gap! * (x[neighbour]![j]! - v)));
    original.y.push(minority);
  }
  return { ...original, added };
}

/**
 * SMOTE's synthetic rows per minority row: the paper makes N/100 from each; to reach the majority's
 * size exactly, each makes floor(toAdd / m) and a seeded random choice of toAdd mod m rows one more.
 */
function smoteCounts(m: number, toAdd: number, rng: ReturnType<typeof mersenne>): number[] {
  const counts = new Array<number>(m).fill(Math.floor(toAdd / m));
  const order = Array.from({ length: m }, (_, i) => i);
  for (let i = m - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let r = 0; r < toAdd % m; r++) counts[order[r]!]!++;
  return counts;
}

/**
 * ADASYN's synthetic rows per minority row (steps b-c of the paper, beta = 1): r_i, the share of
 * majority rows among its K nearest neighbours in the whole set, normalized to sum to 1, times G,
 * rounded. Where no minority row has a majority neighbour the r_i are all 0 and the paper's
 * density is undefined: each row then gets an equal share, as SMOTE does.
 */
function adasynCounts(
  x: readonly (readonly number[])[],
  y: readonly number[],
  minority: number,
  minorityRows: readonly number[],
  toAdd: number,
  k: number,
): number[] {
  const all = Array.from({ length: x.length }, (_, i) => i);
  const r = minorityRows.map((i) => {
    const neighbours = nearestNeighbours(x, i, all, k);
    return neighbours.filter((n) => y[n] !== minority).length / neighbours.length;
  });
  const total = r.reduce((a, b) => a + b, 0);
  return r.map((ri) => Math.round((total === 0 ? 1 / r.length : ri / total) * toAdd));
}
