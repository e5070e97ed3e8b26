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

interface PackedTrees {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  roots: Int32Array;
}

const packed = new WeakMap<readonly FlatTree[], PackedTrees>();

function pack(trees: readonly FlatTree[]): PackedTrees {
  const size = trees.reduce((s, t) => s + t.feature.length, 0);
  const p: PackedTrees = {
    feature: new Int32Array(size),
    threshold: new Float64Array(size),
    left: new Int32Array(size),
    right: new Int32Array(size),
    value: new Float64Array(size),
    roots: new Int32Array(trees.length),
  };
  let offset = 0;
  trees.forEach((t, i) => {
    p.roots[i] = offset;
    for (let k = 0; k < t.feature.length; k++) {
      const leaf = t.feature[k]! < 0;
      p.feature[offset + k] = t.feature[k]!;
      p.threshold[offset + k] = t.threshold[k]!;
      p.left[offset + k] = leaf ? -1 : t.left[k]! + offset;
      p.right[offset + k] = leaf ? -1 : t.right[k]! + offset;
      p.value[offset + k] = t.value[k]!;
    }
    offset += t.feature.length;
  });
  return p;
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
  const { feature, threshold, left, right, value, roots } = packedTrees(trees);
  let sum = 0;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t]!;
    let f = feature[node]!;
    while (f >= 0) {
      node = row[f]! < threshold[node]! ? left[node]! : right[node]!;
      f = feature[node]!;
    }
    sum += value[node]!;
  }
  return sum;
}

/** Split gain per feature over all the trees, normalized to sum to 1 (all 0 when nothing was split). */
export function gainImportances(trees: readonly FlatTree[], features: number): number[] {
  const total = new Array<number>(features).fill(0);
  for (const t of trees) for (let k = 0; k < t.feature.length; k++) if (t.feature[k]! >= 0) total[t.feature[k]!]! += t.gain[k]!;
  const sum = total.reduce((a, b) => a + b, 0);
  return sum > 0 ? total.map((g) => g / sum) : total;
}
