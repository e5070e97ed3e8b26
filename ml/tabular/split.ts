// Train/test splits and k-fold cross-validation as row indices, deterministic by seed (pure-rand's
// xoroshiro128+): a random split, a stratified one (each class in the test part in proportion), a
// time-ordered one (the latest rows are the test part), k folds (optionally stratified), and k
// forward-chaining folds (each predicts a later block of rows from the rows before it).
// Test parts take ceil(n * testShare) rows as scikit-learn's train_test_split does.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** Row indices, each ascending. */
export interface Split {
  train: number[];
  test: number[];
}

export interface SplitOptions {
  /** Share of rows in the test part, in (0, 1). */
  testShare: number;
  seed: number;
}

type Rng = ReturnType<typeof xoroshiro128plus>;

function generator(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`split: seed must be a whole number, got ${seed}`);
  return xoroshiro128plus(seed);
}

/** Fisher–Yates with one generator, so several shuffles in a row stay independent. */
function shuffled(indices: readonly number[], rng: Rng): number[] {
  const out = [...indices];
  for (let i = out.length - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const ascending = (a: number, b: number) => a - b;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function testSize(n: number, testShare: number): number {
  if (!(testShare > 0 && testShare < 1)) throw new Error(`split: testShare must be in (0, 1), got ${testShare}`);
  const size = Math.ceil(n * testShare);
  if (size < 1 || size > n - 1) throw new Error(`split: ${n} rows cannot give a test share of ${testShare}`);
  return size;
}

function complement(n: number, test: number[]): Split {
  const inTest = new Uint8Array(n);
  for (const i of test) inTest[i] = 1;
  return { train: range(n).filter((i) => !inTest[i]), test: [...test].sort(ascending) };
}

export function randomSplit(n: number, { testShare, seed }: SplitOptions): Split {
  const size = testSize(n, testShare);
  return complement(n, shuffled(range(n), generator(seed)).slice(0, size));
}

/** Row indices of each class, classes in sorted order. */
function byClass(labels: readonly (number | string)[]): number[][] {
  const groups = new Map<number | string, number[]>();
  labels.forEach((label, i) => {
    const g = groups.get(label);
    if (g) g.push(i);
    else groups.set(label, [i]);
  });
  return [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => groups.get(k)!);
}

/** Each class's share of the test part as close to its share of the rows as whole rows allow (largest remainder). */
export function stratifiedSplit(labels: readonly (number | string)[], { testShare, seed }: SplitOptions): Split {
  const n = labels.length;
  const size = testSize(n, testShare);
  const classes = byClass(labels);
  const exact = classes.map((c) => (c.length * size) / n);
  const counts = exact.map(Math.floor);
  let left = size - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, c) => [e - Math.floor(e), c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, c] of byRemainder) {
    if (left === 0) break;
    counts[c]!++;
    left--;
  }
  const rng = generator(seed);
  const test = classes.flatMap((members, c) => shuffled(members, rng).slice(0, counts[c]));
  return complement(n, test);
}

/**
 * The latest ceil(n * testShare) rows are the test part; rows sharing the boundary's time all go
 * to the test part, so every test row is later than every training row.
 */
export function timeSplit(times: readonly (number | string)[], { testShare }: { testShare: number }): Split {
  const n = times.length;
  const size = testSize(n, testShare);
  const kind = typeof times[0];
  times.forEach((t, i) => {
    if (typeof t !== kind || (typeof t === 'number' && !Number.isFinite(t)))
      throw new Error(`timeSplit: time ${i} is ${String(t)}, not a ${kind} like the first`);
  });
  const order = range(n).sort((a, b) => (times[a]! < times[b]! ? -1 : times[a]! > times[b]! ? 1 : a - b));
  const boundary = times[order[n - size]!]!;
  const test = order.filter((i) => times[i]! >= boundary);
  if (test.length === n) throw new Error(`timeSplit: every row has the time ${String(boundary)}: nothing to train on`);
  return complement(n, test);
}

export interface FoldOptions {
  k: number;
  seed: number;
  /** Class of each row: each fold then holds the classes in proportion. */
  stratify?: readonly (number | string)[];
}

/** k folds of the rows, sizes differing by at most one; fold f's test part is its rows, its training part the rest. */
export function kFold(n: number, { k, seed, stratify }: FoldOptions): Split[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`kFold: k must be a whole number of at least 2, got ${k}`);
  if (n < k) throw new Error(`kFold: ${n} rows cannot make ${k} folds`);
  if (stratify && stratify.length !== n) throw new Error(`kFold: ${stratify.length} labels for ${n} rows`);
  const fold = new Int32Array(n);
  const rng = generator(seed);
  if (stratify) {
    // each class dealt round the folds, continuing where the last class stopped, so sizes stay even
    let next = 0;
    for (const members of byClass(stratify)) for (const i of shuffled(members, rng)) fold[i] = next++ % k;
  } else {
    const order = shuffled(range(n), rng);
    let position = 0;
    for (let f = 0; f < k; f++) {
      const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
      for (let s = 0; s < size; s++) fold[order[position++]!] = f;
    }
  }
  return range(k).map((f) => ({
    train: range(n).filter((i) => fold[i] !== f),
    test: range(n).filter((i) => fold[i] === f),
  }));
}

/**
 * k forward-chaining folds: the rows in time order cut into k + 1 blocks of (nearly) equal size,
 * fold f trains on blocks 0..f and tests on block f + 1, so every fold predicts later rows from
 * earlier ones only, as a model trained on the past is used. Rows of the same time stay in one block.
 */
export function forwardChainingFolds(times: readonly string[], { k }: { k: number }): Split[] {
  if (!Number.isInteger(k) || k < 2)
    throw new Error(`forwardChainingFolds: k must be a whole number of at least 2, got ${k}`);
  const n = times.length;
  const order = range(n).sort((a, b) => (times[a]! < times[b]! ? -1 : times[a]! > times[b]! ? 1 : a - b));
  // block b starts at the first row of its time at or after b * n / (k + 1) in time order
  const starts = range(k + 1).map((b) => {
    let at = Math.floor((b * n) / (k + 1));
    while (at > 0 && at < n && times[order[at]!] === times[order[at - 1]!]) at++;
    return at;
  });
  const ends = [...starts.slice(1), n];
  return range(k).map((f) => {
    const test = order.slice(starts[f + 1], ends[f + 1]);
    const train = order.slice(0, starts[f + 1]);
    if (!train.length || !test.length)
      throw new Error(`forwardChainingFolds: ${n} rows (${new Set(times).size} times) cannot make ${k} folds`);
    return { train: train.sort(ascending), test: test.sort(ascending) };
  });
}

/**
 * Rows by period: times from `trainFrom` (when given) to before `testFrom` train, from `testFrom` to
 * before `testTo` test; other rows are in neither part. Both parts must have rows.
 */
export function periodSplit(
  times: readonly string[],
  { trainFrom, testFrom, testTo }: { trainFrom?: string; testFrom: string; testTo: string },
): Split {
  const train: number[] = [];
  const test: number[] = [];
  times.forEach((t, i) => {
    if (t >= testFrom && t < testTo) test.push(i);
    else if (t < testFrom && (trainFrom === undefined || t >= trainFrom)) train.push(i);
  });
  if (!train.length)
    throw new Error(`periodSplit: no row before ${testFrom}${trainFrom ? ` from ${trainFrom}` : ''} to train on`);
  if (!test.length) throw new Error(`periodSplit: no row from ${testFrom} to before ${testTo} to test on`);
  return { train, test };
}
