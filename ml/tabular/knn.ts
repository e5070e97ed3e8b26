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
    const nearest = new Int32Array(k);
    const squared = new Float64Array(k);
    return rows.map((row) => {
      let found = 0;
      for (let i = 0; i < x.length; i++) {
        const d = squaredDistance(x[i]!, row);
        if (found === k && d >= squared[k - 1]!) continue;
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

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const d = a[j]! - b[j]!;
    s += d * d;
  }
  return s;
}
