// k nearest neighbours by Euclidean distance, brute force: regression predicts the mean of the
// neighbours' targets, binary classification the share of class 1 among them (weighted by
// inverse distance with weights = 'distance', as scikit-learn's KNeighbors* do; a neighbour at
// distance 0 then takes all the weight). Ties at the k-th distance go to the earlier training
// row, so predictions do not depend on anything but the data's order. ml-knn was not used: it
// classifies only (no regression, no probabilities) and breaks ties by its k-d tree's layout.
// The model keeps the training rows: its JSON grows with them.
import type { Features, Learner } from './learner.ts';
import { checkNumber, checkPredictRows, checkTrainingSet } from './learnerInput.ts';

export type KnnWeights = 'uniform' | 'distance';
export type KnnHyper = { k: number; weights: KnnWeights };

export interface KnnParams {
  k: number;
  weights: KnnWeights;
  x: number[][];
  y: number[];
}

export const knn: Learner<KnnHyper, KnnParams> = {
  name: 'knn',
  defaults: { k: 5, weights: 'uniform' },
  fit(x, y, hyper, options) {
    checkTrainingSet('knn', x, y, options);
    const k = checkNumber('knn', 'k', hyper.k, { min: 1, max: x.length, integer: true });
    if (hyper.weights !== 'uniform' && hyper.weights !== 'distance')
      throw new Error(`knn: weights must be 'uniform' or 'distance', got ${String(hyper.weights)}`);
    return {
      learner: 'knn',
      task: options.task,
      features: x[0]!.length,
      params: { k, weights: hyper.weights, x: copyOf(x), y: [...y] },
    };
  },
  predict(model, rows) {
    checkPredictRows(model, rows);
    const { k, weights, x, y } = model.params;
    const found = k <= SHARED_K ? sharedNeighbours(x, rows) : nearestNeighbours(x, rows, k);
    const { nearest, squared, width } = found;
    return rows.map((_, q) => {
      const at = q * width;
      if (weights === 'uniform' || squared[at] === 0) {
        // With distance weights, neighbours at distance 0 share all the weight equally.
        let sum = 0;
        let count = 0;
        for (let r = 0; r < k; r++) {
          if (weights === 'distance' && squared[at + r] !== 0) break;
          sum += y[nearest[at + r]!]!;
          count++;
        }
        return sum / count;
      }
      let sum = 0;
      let total = 0;
      for (let r = 0; r < k; r++) {
        const w = 1 / Math.sqrt(squared[at + r]!);
        sum += w * y[nearest[at + r]!]!;
        total += w;
      }
      return sum / total;
    });
  },
};

/** Per query row, its `width` nearest training rows in order (index and squared distance), row after row. */
interface Neighbours {
  width: number;
  nearest: Int32Array;
  squared: Float64Array;
}

// A search fits and scores knn for several k on the same folds. The copy of a training set is
// reused while the caller's rows are unchanged, and the nearest SHARED_K of each query row are
// found once per (training set, query rows): every k up to that reads their prefix (the rows a
// search for k finds, ties included). Changed rows, or a model read from JSON, search anew.
const SHARED_K = 50;
const copies = new WeakMap<Features, number[][]>();
const shared = new WeakMap<Features, WeakMap<Features, { rows: number[][]; found: Neighbours }>>();

const sameRows = (a: Features, b: Features) =>
  a.length === b.length &&
  a.every((row, i) => row.length === b[i]!.length && row.every((v, j) => Object.is(v, b[i]![j])));

function copyOf(x: Features): number[][] {
  const kept = copies.get(x);
  if (kept && sameRows(kept, x)) return kept;
  const copy = x.map((row) => [...row]);
  copies.set(x, copy);
  return copy;
}

function sharedNeighbours(x: Features, rows: Features): Neighbours {
  let byRows = shared.get(x);
  if (!byRows) shared.set(x, (byRows = new WeakMap()));
  const kept = byRows.get(rows);
  if (kept && sameRows(kept.rows, rows)) return kept.found;
  const found = nearestNeighbours(x, rows, Math.min(SHARED_K, x.length));
  byRows.set(rows, { rows: rows.map((row) => [...row]), found });
  return found;
}

function nearestNeighbours(x: Features, rows: Features, k: number): Neighbours {
  const p = x[0]!.length;
  // One flat copy of the training rows: distances then read memory in order.
  const flat = new Float64Array(x.length * p);
  x.forEach((r, i) => flat.set(r, i * p));
  const nearest = new Int32Array(rows.length * k);
  const squared = new Float64Array(rows.length * k);
  rows.forEach((row, q) => {
    const base = q * k;
    let found = 0;
    for (let i = 0; i < x.length; i++) {
      // Once k are found, a row stops being summed as soon as it is no nearer than the k-th.
      const bound = found === k ? squared[base + k - 1]! : Infinity;
      const d = squaredDistance(flat, i * p, row, p, bound);
      if (d >= bound) continue;
      let at = found < k ? found++ : k - 1;
      while (at > 0 && squared[base + at - 1]! > d) {
        squared[base + at] = squared[base + at - 1]!;
        nearest[base + at] = nearest[base + at - 1]!;
        at--;
      }
      squared[base + at] = d;
      nearest[base + at] = i;
    }
  });
  return { width: k, nearest, squared };
}

/** Squared distance of the training row at `offset` to `b`, or some sum at least `bound` once it reaches it. */
function squaredDistance(flat: Float64Array, offset: number, b: readonly number[], p: number, bound: number): number {
  let s = 0;
  for (let j = 0; j < p; j++) {
    const d = flat[offset + j]! - b[j]!;
    s += d * d;
    if (s >= bound) return s;
  }
  return s;
}
