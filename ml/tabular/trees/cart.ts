// ml-cart's CART tree as a learner: the reference the fast tree is checked against. It tries
// every midpoint between consecutive sorted values whose targets differ and splits each
// candidate anew, so a fit costs O(rows² × features): for small data only.
// Its rules: "x < threshold" goes left; regression minimizes the children's summed squared
// errors, classification maximizes the Gini gain (above gainThreshold, 0.01 by default); the
// first best candidate wins (lowest feature, then lowest threshold); a node of at most
// minNumSamples rows, or at maxDepth, is a leaf.
import { DecisionTreeClassifier, DecisionTreeRegression } from 'ml-cart';
import type { Learner, TabularModel } from '../learner.ts';
import { integer, resolveHyper } from './hyper.ts';
import { checkRows, checkTrainingSet } from './inputs.ts';

export type CartHyper = {
  maxDepth: number | null;
  minNumSamples: number;
  /** null: ml-cart's default (0 for regression, 0.01 for classification). */
  gainThreshold: number | null;
};

/** ml-cart's own JSON of the tree. */
export type CartParams = object;

const defaults: CartHyper = { maxDepth: null, minNumSamples: 3, gainThreshold: null };

export const cartLearner: Learner<CartHyper, CartParams> = {
  name: 'cart',
  defaults,
  fit(x, y, hyper, { task, validation }) {
    const features = checkTrainingSet(x, y, task, validation);
    const h = resolveHyper('cart', defaults, hyper, {
      maxDepth: integer(0, true),
      minNumSamples: integer(1),
      gainThreshold: (v) => (v === null || (typeof v === 'number' && v >= 0) ? null : 'a number >= 0 or null'),
    });
    const options = {
      minNumSamples: h.minNumSamples,
      ...(h.maxDepth === null ? {} : { maxDepth: h.maxDepth }),
      ...(h.gainThreshold === null ? {} : { gainThreshold: h.gainThreshold }),
    };
    const tree = task === 'binary' ? new DecisionTreeClassifier(options) : new DecisionTreeRegression(options);
    tree.train(
      x.map((row) => [...row]),
      [...y],
    );
    return { learner: 'cart', task, features, params: JSON.parse(JSON.stringify(tree.toJSON())) as CartParams };
  },
  predict(model: TabularModel<CartParams>, x) {
    checkRows(x, model.features);
    const rows = x.map((row) => [...row]);
    if (model.task === 'regression') return DecisionTreeRegression.load(model.params).predict(rows);
    const { root } = DecisionTreeClassifier.load(model.params);
    return rows.map((row) => {
      const distribution = root.classify(row);
      if (typeof distribution === 'number') throw new Error('cart: a classification tree has a regression leaf');
      // A leaf that saw only class 0 has a one-column distribution.
      return distribution.columns > 1 ? distribution.get(0, 1) : 0;
    });
  },
};
