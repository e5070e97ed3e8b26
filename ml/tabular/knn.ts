// k nearest neighbours by Euclidean distance, brute force: regression predicts the mean of the
// neighbours' targets, binary classification the share of class 1 among them (weighted by
// inverse distance with weights = 'distance', as scikit-learn's KNeighbors* do; a neighbour at
// distance 0 then takes all the weight). Ties at the k-th distance go to the earlier training
// row, so predictions do not depend on anything but the data's order. ml-knn was not used: it
// classifies only (no regression, no probabilities) and breaks ties by its k-d tree's layout.
// The model keeps the training rows: its JSON grows with them.
import type { Learner } from './learner.ts';
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
      params: { k, weights: hyper.weights, x: x.map((row) => [...row]), y: [...y] },
    };
  },
  predict(model, rows) {
    checkPredictRows(model, rows);
    const { k, weights, x, y } = model.params;
    const p = model.features;
    // One flat copy of the training rows per call: distances then read memory in order.
    const flat = new Float64Array(x.length * p);
    x.forEach((r, i) => flat.set(r, i * p));
    const nearest = new Int32Array(k);
    const squared = new Float64Array(k);
    return rows.map((row) => {
      let found = 0;
      for (let i = 0; i < x.length; i++) {
        // Once k are found, a row stops being summed as soon as it is no nearer than the k-th.
        const bound = found === k ? squared[k - 1]! : Infinity;
        const d = squaredDistance(flat, i * p, row, p, bound);
        if (d >= bound) continue;
        let at = found < k ? found++ : k - 1;
        while (at > 0 && squared[at - 1]! > d) {
          squared[at] = squared[at - 1]!;
          nearest[at] = nearest[at - 1]!;
          at--;
        }
        squared[at] = d;
        nearest[at] = i;
      }
      if (weights === 'uniform' || squared[0] === 0) {
        // With distance weights, neighbours at distance 0 share all the weight equally.
        let sum = 0;
        let count = 0;
        for (let r = 0; r < k; r++) {
          if (weights === 'distance' && squared[r] !== 0) break;
          sum += y[nearest[r]!]!;
          count++;
        }
        return sum / count;
      }
      let sum = 0;
      let total = 0;
      for (let r = 0; r < k; r++) {
        const w = 1 / Math.sqrt(squared[r]!);
        sum += w * y[nearest[r]!]!;
        total += w;
      }
      return sum / total;
    });
  },
};

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
