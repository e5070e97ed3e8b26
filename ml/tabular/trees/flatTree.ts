// Trees as plain JSON, one array per node attribute (node 0 is the root; a leaf has feature -1),
// and their fast inference: a model's trees are packed once into typed arrays (cached per
// model), then a row walks each tree with "x < threshold goes left", ml-cart's rule.

export interface FlatTree {
  /** Feature tested at the node; -1 at a leaf. */
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** The node's prediction (its leaf value, already scaled by any shrinkage). */
  value: number[];
  /** The split's loss reduction (0 at a leaf): feature importances sum it. */
  gain: number[];
}

/**
 * All of a model's trees in two arrays: per node its feature (-1 at a leaf) and the index of its
 * right child as integers, its threshold (a leaf's value) as a double; nodes in depth-first
 * order, so the left child is the next node and a walk mostly moves forward through memory.
 */
interface PackedTrees {
  links: Int32Array;
  numbers: Float64Array;
  roots: Int32Array;
}

const packed = new WeakMap<readonly FlatTree[], PackedTrees>();

function pack(trees: readonly FlatTree[]): PackedTrees {
  const size = trees.reduce((s, t) => s + t.feature.length, 0);
  const links = new Int32Array(size * 2);
  const numbers = new Float64Array(size);
  const roots = new Int32Array(trees.length);
  let at = 0;
  const place = (t: FlatTree, id: number): void => {
    const i = at++;
    const f = t.feature[id]!;
    links[2 * i] = f;
    if (f < 0) {
      numbers[i] = t.value[id]!;
      return;
    }
    numbers[i] = t.threshold[id]!;
    place(t, t.left[id]!);
    links[2 * i + 1] = at;
    place(t, t.right[id]!);
  };
  trees.forEach((t, k) => {
    roots[k] = at;
    place(t, 0);
  });
  return { links, numbers, roots };
}

function packedTrees(trees: readonly FlatTree[]): PackedTrees {
  let p = packed.get(trees);
  if (!p) {
    p = pack(trees);
    packed.set(trees, p);
  }
  return p;
}

/** Sum of the trees' predictions for one row. */
export function sumTrees(trees: readonly FlatTree[], row: readonly number[]): number {
  const { links, numbers, roots } = packedTrees(trees);
  let sum = 0;
  for (let t = 0; t < roots.length; t++) {
    let i = roots[t]!;
    let f = links[2 * i]!;
    while (f >= 0) {
      i = row[f]! < numbers[i]! ? i + 1 : links[2 * i + 1]!;
      f = links[2 * i]!;
    }
    sum += numbers[i]!;
  }
  return sum;
}

/** One tree's prediction for one row, walked as it is (no packing: for a tree used once, as boosting's rounds are). */
export function treeValue(tree: FlatTree, row: readonly number[]): number {
  let i = 0;
  for (let f = tree.feature[0]!; f >= 0; f = tree.feature[i]!)
    i = row[f]! < tree.threshold[i]! ? tree.left[i]! : tree.right[i]!;
  return tree.value[i]!;
}

/** Split gain per feature over all the trees, normalized to sum to 1 (all 0 when nothing was split). */
export function gainImportances(trees: readonly FlatTree[], features: number): number[] {
  const total = new Array<number>(features).fill(0);
  for (const t of trees)
    for (let k = 0; k < t.feature.length; k++) if (t.feature[k]! >= 0) total[t.feature[k]!]! += t.gain[k]!;
  const sum = total.reduce((a, b) => a + b, 0);
  return sum > 0 ? total.map((g) => g / sum) : total;
}

/**
 * A row's prediction split by feature (Saabas' path attribution): walking a tree from the root,
 * each split moves the value from the node's to the child's, and that move is credited to the
 * split's feature. So `bias` (the roots' values) plus every feature's contribution is exactly
 * sumTrees(trees, row). One walk per tree, as cheap as predicting; unlike SHAP it favours the
 * features split on near the leaves, which is fine for naming a day's main drivers.
 */
export function pathContributions(
  trees: readonly FlatTree[],
  row: readonly number[],
  features: number,
): { bias: number; contributions: number[] } {
  const contributions = new Array<number>(features).fill(0);
  let bias = 0;
  for (const t of trees) {
    let i = 0;
    bias += t.value[0]!;
    for (let f = t.feature[0]!; f >= 0; f = t.feature[i]!) {
      const child = row[f]! < t.threshold[i]! ? t.left[i]! : t.right[i]!;
      contributions[f]! += t.value[child]! - t.value[i]!;
      i = child;
    }
  }
  return { bias, contributions };
}
