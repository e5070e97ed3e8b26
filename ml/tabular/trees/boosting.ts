// Gradient-boosted trees on the fast tree: squared loss for regression, logistic loss for binary
// classification (the trees add up log-odds). Each round fits one tree to the gradients and
// hessians (Newton leaves G / (H + l2), shrunk by the learning rate) on a seeded subsample of
// rows and of features; it stops once the validation loss has not improved for
// earlyStoppingRounds rounds and keeps the trees up to the best round. The validation rows are
// options.validation, else a seeded validationFraction of the training rows (as scikit-learn's
// HistGradientBoosting holds out 10%), so a search's trials stop early too.
import type { Learner, TabularModel } from '../learner.ts';
import { randomSplit } from '../split.ts';
import { binFeatures, MAX_BINS } from './bins.ts';
import { gainImportances, sumTrees, treeValue, type FlatTree } from './flatTree.ts';
import { growTree } from './grow.ts';
import { integer, limit, number, resolveHyper } from './hyper.ts';
import { checkRows, checkTrainingSet } from './inputs.ts';
import { sampleWithoutReplacement, seededRandom } from './random.ts';
import { treeRules } from './tree.ts';

export type BoostingHyper = {
  /** Rounds at most (one tree each). */
  trees: number;
  learningRate: number;
  maxDepth: number | null;
  maxLeaves: number | null;
  minLeaf: number;
  /** L2 penalty on leaf values. */
  l2: number;
  /** A split must reduce the loss by more than this. */
  minGain: number;
  /** Share of the rows each tree sees (drawn without replacement). */
  rowFraction: number;
  /** Share of the features each tree may use. */
  featureFraction: number;
  /** Stop after this many rounds without a better validation loss; 0: never. */
  earlyStoppingRounds: number;
  /** Share of the training rows held out to stop on when options.validation is not given; 0: none. */
  validationFraction: number;
  maxBins: number;
};

export type BoostingParams = {
  /** The starting score: the mean target, or its log-odds for classification. */
  base: number;
  trees: FlatTree[];
  /** Rounds fitted before stopping (trees keeps those up to the best one). */
  rounds: number;
  /** Validation loss (mean squared error or log loss) at the kept round, with a validation set. */
  validationLoss: number | null;
};

const defaults: BoostingHyper = {
  trees: 300,
  learningRate: 0.05,
  maxDepth: 6,
  maxLeaves: null,
  minLeaf: 20,
  l2: 1,
  minGain: 0,
  rowFraction: 1,
  featureFraction: 1,
  earlyStoppingRounds: 20,
  validationFraction: 0.1,
  maxBins: MAX_BINS,
};

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const EPS = 1e-15;

/** Mean loss of scores against targets. */
function loss(binary: boolean, scores: Float64Array, y: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    if (binary) {
      const p = Math.min(1 - EPS, Math.max(EPS, sigmoid(scores[i]!)));
      sum -= y[i] === 1 ? Math.log(p) : Math.log(1 - p);
    } else sum += (y[i]! - scores[i]!) ** 2;
  }
  return sum / y.length;
}

export const boostingLearner: Learner<BoostingHyper, BoostingParams> = {
  name: 'boosting',
  defaults,
  fit(xAll, yAll, hyper, { task, seed, validation: given, onRound }) {
    const features = checkTrainingSet(xAll, yAll, task, given);
    const h = resolveHyper('boosting', defaults, hyper, {
      trees: integer(1),
      learningRate: number(0, 1, true),
      maxDepth: treeRules.maxDepth,
      maxLeaves: treeRules.maxLeaves,
      minLeaf: treeRules.minLeaf,
      l2: number(0, Infinity),
      minGain: number(0, Infinity),
      rowFraction: number(0, 1, true),
      featureFraction: number(0, 1, true),
      earlyStoppingRounds: integer(0),
      validationFraction: number(0, 0.5),
      maxBins: treeRules.maxBins,
    });
    const holdOut = !given && h.earlyStoppingRounds > 0 && h.validationFraction > 0 && xAll.length > 1;
    const split = holdOut ? randomSplit(xAll.length, { testShare: h.validationFraction, seed }) : undefined;
    const x = split ? split.train.map((i) => xAll[i]!) : xAll;
    const y = split ? split.train.map((i) => yAll[i]!) : yAll;
    const validation = split ? { x: split.test.map((i) => xAll[i]!), y: split.test.map((i) => yAll[i]!) } : given;
    const binary = task === 'binary';
    const n = x.length;
    const data = binFeatures(x, h.maxBins);
    const random = seededRandom(seed);
    const mean = y.reduce((a, b) => a + b, 0) / n;
    const base = binary ? Math.log(Math.max(EPS, mean) / Math.max(EPS, 1 - mean)) : mean;
    const scores = new Float64Array(n).fill(base);
    const g = new Float64Array(n);
    const hess = binary ? new Float64Array(n) : null;
    const rowCount = Math.max(1, Math.round(h.rowFraction * n));
    const featureCount = Math.max(1, Math.round(h.featureFraction * features));
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const leafOf = new Int32Array(n);
    const params = {
      maxDepth: limit(h.maxDepth),
      maxLeaves: limit(h.maxLeaves),
      minLeaf: h.minLeaf,
      minSplit: 2,
      minGain: h.minGain,
      l2: h.l2,
      featuresPerSplit: featureCount,
      scale: h.learningRate,
    };
    const validationScores = validation && new Float64Array(validation.x.length).fill(base);
    const stopping = validationScores && h.earlyStoppingRounds > 0;
    let best = { loss: validation ? loss(binary, validationScores!, validation.y) : Infinity, round: 0 };
    const trees: FlatTree[] = [];
    let rounds = 0;
    while (rounds < h.trees) {
      for (let i = 0; i < n; i++) {
        if (binary) {
          const p = sigmoid(scores[i]!);
          g[i] = y[i]! - p;
          hess![i] = Math.max(p * (1 - p), EPS);
        } else g[i] = y[i]! - scores[i]!;
      }
      const rows = rowCount < n ? sampleWithoutReplacement(random, n, rowCount) : all;
      const treeFeatures = sampleWithoutReplacement(random, features, featureCount);
      leafOf.fill(-1);
      const tree = growTree({ data, g, h: hess, rows, features: treeFeatures, random, leafOf }, params);
      trees.push(tree);
      rounds++;
      onRound?.(rounds, h.trees);
      // The tree's rows know their leaf; only rows left out of its sample walk it.
      for (let i = 0; i < n; i++) scores[i]! += leafOf[i]! >= 0 ? tree.value[leafOf[i]!]! : treeValue(tree, x[i]!);
      if (validation && validationScores) {
        for (let i = 0; i < validation.x.length; i++) validationScores[i]! += treeValue(tree, validation.x[i]!);
        const current = loss(binary, validationScores, validation.y);
        if (current < best.loss) best = { loss: current, round: rounds };
        else if (stopping && rounds - best.round >= h.earlyStoppingRounds) break;
      }
    }
    return {
      learner: 'boosting',
      task,
      features,
      params: {
        base,
        trees: stopping ? trees.slice(0, best.round) : trees,
        rounds,
        validationLoss: validation ? (stopping ? best.loss : loss(binary, validationScores!, validation.y)) : null,
      },
    };
  },
  predict(model: TabularModel<BoostingParams>, x) {
    checkRows(x, model.features);
    const { base, trees } = model.params;
    return x.map((row) => {
      const score = base + sumTrees(trees, row);
      return model.task === 'binary' ? sigmoid(score) : score;
    });
  },
  heldOutShare: (hyper) => {
    const { earlyStoppingRounds, validationFraction } = { ...defaults, ...hyper };
    return earlyStoppingRounds > 0 ? validationFraction : 0;
  },
  importances: (model) => gainImportances(model.params.trees, model.features),
};
