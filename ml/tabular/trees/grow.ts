// One tree grown on binned features from per-row gradient statistics: the sum of g and of h in
// each node. A node's value is G / (H + l2); a split's gain is GL²/(HL+l2) + GR²/(HR+l2) -
// G²/(H+l2). With g = y, h = 1 and l2 = 0 this is ml-cart's regression criterion (the fall in the
// sum of squared errors) and, for 0/1 targets, n/2 times its Gini gain, so both pick the same
// split; boosting passes its gradients and hessians. Ties go to the lowest feature, then the
// lowest threshold, as in ml-cart. The best open leaf is split first, so maxLeaves keeps the
// most useful splits; histograms come from the smaller child, the larger one's by subtraction.
import type { BinnedFeatures } from './bins.ts';
import type { FlatTree } from './flatTree.ts';
import { sampleWithoutReplacement, type Random } from './random.ts';

export interface GrowParams {
  /** A node at this depth (the root is 0) is a leaf. */
  maxDepth: number;
  maxLeaves: number;
  /** Rows each child must keep. */
  minLeaf: number;
  /** A node with fewer rows is a leaf. */
  minSplit: number;
  l2: number;
  /** A split must reduce the loss by more than this. */
  minGain: number;
  /** Features tried at each split, drawn from the tree's; all of them when >= their number. */
  featuresPerSplit: number;
  /** Multiplies every node value (boosting's shrinkage). */
  scale: number;
}

export interface GrowInput {
  data: BinnedFeatures;
  g: Float64Array;
  /** null: every row's h is 1. */
  h: Float64Array | null;
  /** The rows to fit, repeated as often as sampled. */
  rows: Int32Array;
  /** The features this tree may use, increasing. */
  features: Int32Array;
  random: Random;
  /** When given, set for each of `rows` to the leaf it ends in (so a caller need not walk the tree). */
  leafOf?: Int32Array;
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
}

interface OpenLeaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  G: number;
  H: number;
  /** null when features are drawn per split. */
  hist: Float64Array | null;
  split: Split;
}

/** Adds a two-bin feature's sums (gradient, hessian, count of bin 0, then of bin 1) into its histogram cells. */
function addTwoBins(
  hist: Float64Array,
  base: number,
  g0: number,
  h0: number,
  n0: number,
  g1: number,
  h1: number,
  n1: number,
) {
  hist[base] = hist[base]! + g0;
  hist[base + 1] = hist[base + 1]! + h0;
  hist[base + 2] = hist[base + 2]! + n0;
  hist[base + 3] = hist[base + 3]! + g1;
  hist[base + 4] = hist[base + 4]! + h1;
  hist[base + 5] = hist[base + 5]! + n1;
}

export function growTree(input: GrowInput, params: GrowParams): FlatTree {
  const { data, g, h, features } = input;
  const { maxDepth, maxLeaves, minLeaf, minSplit, l2, minGain, scale } = params;
  const sampleFeatures = params.featuresPerSplit < features.length;
  const offsets = new Int32Array(data.features + 1);
  for (let f = 0; f < data.features; f++) offsets[f + 1] = offsets[f]! + data.bins[f]!;
  const histSize = offsets[data.features]! * 3;
  // Only the tree's features' cells of a histogram are ever written: clearing and subtracting
  // the others would be wasted (most of the work when a tree uses a share of many features).
  const spans: number[] = [];
  for (let j = 0; j < features.length; j++) {
    const from = offsets[features[j]!]! * 3;
    const to = offsets[features[j]! + 1]! * 3;
    if (spans.length > 0 && spans[spans.length - 1] === from) spans[spans.length - 1] = to;
    else spans.push(from, to);
  }
  const pool: Float64Array[] = [];
  const takeHist = () => {
    const hist = pool.pop();
    if (!hist) return new Float64Array(histSize);
    for (let k = 0; k < spans.length; k += 2) hist.fill(0, spans[k], spans[k + 1]);
    return hist;
  };

  const rows = Int32Array.from(input.rows);
  const scratch = new Int32Array(rows.length);
  const gs = new Float64Array(rows.length);
  const hs = new Float64Array(rows.length);
  const tree: FlatTree = { feature: [], threshold: [], left: [], right: [], value: [], gain: [] };

  const addNode = (G: number, H: number): number => {
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push((scale * G) / (H + l2));
    tree.gain.push(0);
    return tree.feature.length - 1;
  };

  /** Sums of g and h over rows[start, end), and whether every g is the same. */
  const sums = (start: number, end: number) => {
    let G = 0;
    let H = 0;
    const g0 = g[rows[start]!]!;
    let pure = true;
    for (let k = start; k < end; k++) {
      const r = rows[k]!;
      G += g[r]!;
      H += h ? h[r]! : 1;
      if (g[r] !== g0) pure = false;
    }
    return { G, H, pure: pure && !h };
  };

  const bundleHists = data.bundles.map((b) => new Float64Array((b.features.length + 1) * 3));
  const position = new Int32Array(data.features);
  for (const b of data.bundles) b.features.forEach((f, at) => (position[f] = at));
  const filled = new Int32Array(data.bundles.length);
  let stamp = 0;
  const fillHist = (hist: Float64Array, start: number, end: number, feats: Int32Array) => {
    // Locals, not the closure's variables, in the hot loops; no hessians to add when all are 1.
    const n = end - start;
    const order = rows;
    const grad = gs;
    const hess = h ? hs : null;
    let G = 0;
    let H = n;
    for (let k = 0; k < n; k++) G += grad[k] = g[order[start + k]!]!;
    if (hess) {
      H = 0;
      for (let k = 0; k < n; k++) H += hess[k] = h![order[start + k]!]!;
    }
    // The bundles of the features asked for: one pass over the rows each.
    stamp++;
    for (let j = 0; j < feats.length; j++) {
      const b = data.bundleOf[feats[j]!]!;
      if (b < 0 || filled[b] === stamp) continue;
      filled[b] = stamp;
      const bundleHist = bundleHists[b]!.fill(0);
      const code = data.bundles[b]!.code;
      for (let k = 0; k < n; k++) {
        const i = code[order[start + k]!]! * 3;
        bundleHist[i] = bundleHist[i]! + grad[k]!;
        if (hess) bundleHist[i + 1] = bundleHist[i + 1]! + hess[k]!;
        bundleHist[i + 2] = bundleHist[i + 2]! + 1;
      }
    }
    for (let j = 0; j < feats.length; j++) {
      const f = feats[j]!;
      const code = data.codes[f]!;
      const base = offsets[f]! * 3;
      const bins = data.bins[f]!;
      const bundle = data.bundleOf[f]!;
      if (bundle >= 0) {
        // Bin 1 is the bundle's cell for this feature; bin 0 the rest.
        const bundleHist = bundleHists[bundle]!;
        const i = (position[f]! + 1) * 3;
        const g1 = bundleHist[i]!;
        const n1 = bundleHist[i + 2]!;
        const h1 = hess ? bundleHist[i + 1]! : n1;
        addTwoBins(hist, base, G - g1, H - h1, n - n1, g1, h1, n1);
      } else if (bins === 1) {
        hist[base] = hist[base]! + G;
        hist[base + 1] = hist[base + 1]! + H;
        hist[base + 2] = hist[base + 2]! + n;
      } else if (bins === 2) {
        // A 0/1 column (one-hot): bin 1's sums in registers, bin 0's as the rest. Adding into the
        // same two cells row after row would wait on the previous store each time.
        let g1 = 0;
        let h1 = 0;
        let n1 = 0;
        for (let k = 0; k < n; k++) {
          const b = code[order[start + k]!]!;
          g1 += b * grad[k]!;
          n1 += b;
          if (hess) h1 += b * hess[k]!;
        }
        if (!hess) h1 = n1;
        addTwoBins(hist, base, G - g1, H - h1, n - n1, g1, h1, n1);
      } else if (hess)
        for (let k = 0; k < n; k++) {
          const i = base + code[order[start + k]!]! * 3;
          hist[i] = hist[i]! + grad[k]!;
          hist[i + 1] = hist[i + 1]! + hess[k]!;
          hist[i + 2] = hist[i + 2]! + 1;
        }
      else
        for (let k = 0; k < n; k++) {
          const i = base + code[order[start + k]!]! * 3;
          hist[i] = hist[i]! + grad[k]!;
          hist[i + 2] = hist[i + 2]! + 1;
        }
    }
  };

  const bestSplit = (hist: Float64Array, G: number, H: number, n: number, feats: Int32Array): Split => {
    const best: Split = { gain: minGain, feature: -1, bin: -1 };
    const parent = (G * G) / (H + l2);
    for (let j = 0; j < feats.length; j++) {
      const f = feats[j]!;
      const last = data.bins[f]! - 1;
      let i = offsets[f]! * 3;
      let GL = 0;
      let HL = 0;
      let nL = 0;
      for (let b = 0; b < last; b++, i += 3) {
        GL += hist[i]!;
        nL += hist[i + 2]!;
        HL = h ? HL + hist[i + 1]! : nL;
        if (nL < minLeaf) continue;
        if (n - nL < minLeaf) break;
        const GR = G - GL;
        const HR = H - HL;
        const gain = (GL * GL) / (HL + l2) + (GR * GR) / (HR + l2) - parent;
        if (gain > best.gain) {
          best.gain = gain;
          best.feature = f;
          best.bin = b;
        }
      }
    }
    return best;
  };

  const nodeFeatures = () =>
    sampleFeatures
      ? sampleWithoutReplacement(input.random, features.length, params.featuresPerSplit).map((j) => features[j]!)
      : features;

  const open: OpenLeaf[] = [];
  // With features drawn per split, each node's histogram serves its own split search only: one
  // scratch histogram, cleared where it was filled.
  const scratchHist = sampleFeatures ? new Float64Array(histSize) : null;
  /** A new leaf over rows[start, end): kept open when it may still split. */
  /** Whether a node of n rows at this depth may be split (and so needs a histogram). */
  const maySplit = (n: number, depth: number) => depth < maxDepth && n >= minSplit && n >= 2 * minLeaf;
  const leafOf = input.leafOf;
  const settle = (node: number, start: number, end: number) => {
    if (leafOf) for (let k = start; k < end; k++) leafOf[rows[k]!] = node;
  };
  const addLeaf = (start: number, end: number, depth: number, hist: Float64Array | null): void => {
    const { G, H, pure } = sums(start, end);
    const node = addNode(G, H);
    const n = end - start;
    if (pure || !maySplit(n, depth)) {
      if (hist) pool.push(hist);
      settle(node, start, end);
      return;
    }
    let split: Split;
    if (scratchHist) {
      const feats = nodeFeatures();
      fillHist(scratchHist, start, end, feats);
      split = bestSplit(scratchHist, G, H, n, feats);
      for (let j = 0; j < feats.length; j++) scratchHist.fill(0, offsets[feats[j]!]! * 3, offsets[feats[j]! + 1]! * 3);
    } else {
      if (!hist) {
        hist = takeHist();
        fillHist(hist, start, end, features);
      }
      split = bestSplit(hist, G, H, n, features);
    }
    if (split.feature < 0) {
      if (hist) pool.push(hist);
      settle(node, start, end);
      return;
    }
    open.push({ node, start, end, depth, G, H, hist, split });
  };

  addLeaf(0, rows.length, 0, null);
  let leaves = 1;
  while (open.length > 0 && leaves < maxLeaves) {
    let pick = open.length - 1;
    if (maxLeaves !== Infinity)
      for (let k = 0; k < open.length; k++) if (open[k]!.split.gain > open[pick]!.split.gain) pick = k;
    const leaf = open[pick]!;
    open[pick] = open[open.length - 1]!;
    open.pop();
    const { feature, bin, gain } = leaf.split;
    const code = data.codes[feature]!;
    let nL = 0;
    let nR = 0;
    for (let k = leaf.start; k < leaf.end; k++) {
      const r = rows[k]!;
      if (code[r]! <= bin) rows[leaf.start + nL++] = r;
      else scratch[nR++] = r;
    }
    rows.set(scratch.subarray(0, nR), leaf.start + nL);
    const mid = leaf.start + nL;
    tree.feature[leaf.node] = feature;
    tree.threshold[leaf.node] = data.thresholds[feature]![bin]!;
    tree.gain[leaf.node] = gain;
    leaves++;
    let leftHist: Float64Array | null = null;
    let rightHist: Float64Array | null = null;
    if (leaf.hist) {
      // The smaller child's histogram by its rows, the larger one's as the parent's minus it; none
      // for a child that will be a leaf (at the depth limit, too few rows), so none at the last level.
      const leftNeeds = maySplit(nL, leaf.depth + 1);
      const rightNeeds = maySplit(nR, leaf.depth + 1);
      const leftSmaller = nL <= nR;
      const [smallNeeds, bigNeeds] = leftSmaller ? [leftNeeds, rightNeeds] : [rightNeeds, leftNeeds];
      const parent = leaf.hist;
      if (bigNeeds) {
        const small = takeHist();
        if (leftSmaller) fillHist(small, leaf.start, mid, features);
        else fillHist(small, mid, leaf.end, features);
        for (let k = 0; k < spans.length; k += 2)
          for (let i = spans[k]!; i < spans[k + 1]!; i++) parent[i] = parent[i]! - small[i]!;
        leftHist = leftSmaller ? small : parent;
        rightHist = leftSmaller ? parent : small;
      } else {
        pool.push(parent);
        if (smallNeeds) {
          const small = takeHist();
          if (leftSmaller) fillHist((leftHist = small), leaf.start, mid, features);
          else fillHist((rightHist = small), mid, leaf.end, features);
        }
      }
    }
    tree.left[leaf.node] = tree.feature.length;
    addLeaf(leaf.start, mid, leaf.depth + 1, leftHist);
    tree.right[leaf.node] = tree.feature.length;
    addLeaf(mid, leaf.end, leaf.depth + 1, rightHist);
  }
  for (const leaf of open) settle(leaf.node, leaf.start, leaf.end);
  return tree;
}
