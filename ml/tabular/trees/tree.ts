// The fast decision tree: features binned once (at most maxBins bins each), splits searched on
// histograms with ml-cart's criterion (grow.ts). A regression leaf predicts its rows' mean, a
// classification leaf the share of class 1 among them.
import type { Learner, TabularModel } from '../learner.ts';
import { binFeatures, MAX_BINS } from './bins.ts';
import { gainImportances, sumTrees, type FlatTree } from './flatTree.ts';
import { growTree } from './grow.ts';
import { integer, limit, number, resolveHyper } from './hyper.ts';
import { checkRows, checkTrainingSet } from './inputs.ts';
import { seededRandom } from './random.ts';

export type TreeHyper = {
  /** null: no limit. */
  maxDepth: number | null;
  /** null: no limit; else the best splits first until this many leaves. */
  maxLeaves: number | null;
  minLeaf: number;
  /** A node with fewer rows is a leaf (ml-cart's minNumSamples + 1). */
  minSplit: number;
  /** A split must reduce the summed squared error by more than this. */
  minGain: number;
  maxBins: number;
};

export type TreeParams = {
  trees: FlatTree[];
};

const defaults: TreeHyper = { maxDepth: 8, maxLeaves: null, minLeaf: 1, minSplit: 2, minGain: 0, maxBins: MAX_BINS };

export const treeRules = {
  maxDepth: integer(0, true),
  maxLeaves: integer(2, true),
  minLeaf: integer(1),
  minSplit: integer(2),
  minGain: number(0, Infinity),
  maxBins: (v: unknown) =>
    Number.isInteger(v) && (v as number) >= 2 && (v as number) <= MAX_BINS ? null : `an integer in [2, ${MAX_BINS}]`,
};

export const treeLearner: Learner<TreeHyper, TreeParams> = {
  name: 'tree',
  defaults,
  fit(x, y, hyper, { task, seed, validation }) {
    const features = checkTrainingSet(x, y, task, validation);
    const h = resolveHyper('tree', defaults, hyper, treeRules);
    const data = binFeatures(x, h.maxBins);
    const tree = growTree(
      {
        data,
        g: Float64Array.from(y),
        h: null,
        rows: Int32Array.from(y, (_, i) => i),
        features: Int32Array.from({ length: features }, (_, f) => f),
        random: seededRandom(seed),
      },
      {
        maxDepth: limit(h.maxDepth),
        maxLeaves: limit(h.maxLeaves),
        minLeaf: h.minLeaf,
        minSplit: h.minSplit,
        minGain: h.minGain,
        l2: 0,
        featuresPerSplit: features,
        scale: 1,
      },
    );
    return { learner: 'tree', task, features, params: { trees: [tree] } };
  },
  predict(model: TabularModel<TreeParams>, x) {
    checkRows(x, model.features);
    return x.map((row) => sumTrees(model.params.trees, row));
  },
  importances: (model) => gainImportances(model.params.trees, model.features),
};
