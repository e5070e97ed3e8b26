// Random forest on the fast tree: each tree on a seeded bootstrap sample (or a subsample without
// replacement), trying a share of the features at each split (Breiman) or one draw per tree; the
// forest predicts the trees' mean (for classification, the mean share of class 1).
import type { Learner, TabularModel } from '../learner.ts';
import { binFeatures, MAX_BINS } from './bins.ts';
import { gainImportances, sumTrees, type FlatTree } from './flatTree.ts';
import { growTree } from './grow.ts';
import { integer, limit, number, oneOf, resolveHyper } from './hyper.ts';
import { checkRows, checkTrainingSet } from './inputs.ts';
import { sampleWithoutReplacement, seededRandom } from './random.ts';
import { treeRules } from './tree.ts';

export type ForestHyper = {
  trees: number;
  maxDepth: number | null;
  maxLeaves: number | null;
  minLeaf: number;
  minSplit: number;
  /** Share of the features tried (at least one). */
  featureFraction: number;
  /** 'split': a new draw at every split; 'tree': one draw per tree. */
  featureSampling: 'split' | 'tree';
  /** true: rows drawn with replacement; false: without. */
  bootstrap: boolean;
  /** Rows per tree as a share of the training rows. */
  sampleFraction: number;
  maxBins: number;
};

export type ForestParams = {
  trees: FlatTree[];
};

const defaults: ForestHyper = {
  trees: 100,
  maxDepth: null,
  maxLeaves: null,
  // Leaves of at least 5 rows: fully grown trees on 8,523 rows have ~9,000 nodes each, a model of
  // hundreds of megabytes as JSON and a slower walk, for no better accuracy on noisy targets.
  minLeaf: 5,
  minSplit: 2,
  featureFraction: 1 / 3,
  featureSampling: 'split',
  bootstrap: true,
  sampleFraction: 1,
  maxBins: MAX_BINS,
};

export const forestLearner: Learner<ForestHyper, ForestParams> = {
  name: 'forest',
  defaults,
  fit(x, y, hyper, { task, seed, validation }) {
    const features = checkTrainingSet(x, y, task, validation);
    const h = resolveHyper('forest', defaults, hyper, {
      trees: integer(1),
      maxDepth: treeRules.maxDepth,
      maxLeaves: treeRules.maxLeaves,
      minLeaf: treeRules.minLeaf,
      minSplit: treeRules.minSplit,
      featureFraction: number(0, 1, true),
      featureSampling: oneOf('split', 'tree'),
      bootstrap: oneOf(true, false),
      sampleFraction: number(0, 1, true),
      maxBins: treeRules.maxBins,
    });
    const data = binFeatures(x, h.maxBins);
    const random = seededRandom(seed);
    const n = x.length;
    const sampleSize = Math.max(1, Math.round(h.sampleFraction * n));
    const drawn = Math.max(1, Math.round(h.featureFraction * features));
    const all = Int32Array.from({ length: features }, (_, f) => f);
    const trees: FlatTree[] = [];
    // A bootstrap sample as weights: each drawn row once, its gradient and hessian times the
    // times it was drawn (the same sums and splits; a third fewer rows to walk). A leaf's size
    // counts distinct rows, as scikit-learn's min_samples_leaf does under bootstrap.
    const times = new Float64Array(n);
    const g = new Float64Array(n);
    for (let t = 0; t < h.trees; t++) {
      let rows: Int32Array;
      if (h.bootstrap) {
        times.fill(0);
        for (let k = 0; k < sampleSize; k++) times[random.below(n)]! += 1;
        rows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => times[i]! > 0);
        for (let i = 0; i < n; i++) g[i] = times[i]! * y[i]!;
      } else {
        rows = sampleWithoutReplacement(random, n, sampleSize);
        for (let i = 0; i < n; i++) g[i] = y[i]!;
      }
      const perTree = h.featureSampling === 'tree';
      trees.push(
        growTree(
          {
            data,
            g,
            h: h.bootstrap ? times : null,
            rows,
            features: perTree ? sampleWithoutReplacement(random, features, drawn) : all,
            random,
          },
          {
            maxDepth: limit(h.maxDepth),
            maxLeaves: limit(h.maxLeaves),
            minLeaf: h.minLeaf,
            minSplit: h.minSplit,
            minGain: 0,
            l2: 0,
            featuresPerSplit: drawn,
            scale: 1 / h.trees,
          },
        ),
      );
    }
    return { learner: 'forest', task, features, params: { trees } };
  },
  predict(model: TabularModel<ForestParams>, x) {
    checkRows(x, model.features);
    return x.map((row) => sumTrees(model.params.trees, row));
  },
  importances: (model) => gainImportances(model.params.trees, model.features),
};
