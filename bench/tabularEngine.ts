// The tabular tree learners on generated BigMart-like rows (8,523 rows of ~30 numeric features once
// encoded: 4 numeric columns, one-hot item types and outlets, the sales a function of price against
// outlet plus noise), in this process, no stack.
//   fit:      the fast tree against ml-cart (same depth and stopping rules) on 1,000 and 8,523 rows
//             (ml-cart takes minutes on 8,523: skipCart times it on 1,000 only)
//   large:    one fast tree of depth 8 on 100,000 rows, binning included (best of 3, as the fits above)
//   forest:   a 300-tree forest's fit on 8,523 rows (the defaults, then fully grown trees), its
//             size as JSON and its prediction of one row (microseconds)
//   boosting: 300 rounds of depth 6 on 8,523 rows
import { boostingLearner } from '../ml/tabular/trees/boosting.ts';
import { cartLearner } from '../ml/tabular/trees/cart.ts';
import { forestLearner } from '../ml/tabular/trees/forest.ts';
import { seededRandom } from '../ml/tabular/trees/random.ts';
import { treeLearner } from '../ml/tabular/trees/tree.ts';
import type { BenchReport } from './results.ts';

const round = (v: number, digits = 2) => Number(v.toFixed(digits));
const ITEM_TYPES = 16;
const OUTLETS = 10;

/** Rows shaped like BigMart's after encoding: weight, visibility, price, year, item type and outlet one-hot. */
function bigmartLike(rows: number, seed: number) {
  const random = seededRandom(seed);
  const uniform = () => random.below(1_000_000_007) / 1_000_000_007;
  const outletEffect = Array.from({ length: OUTLETS }, () => 0.3 + 1.5 * uniform());
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const weight = 4.5 + 17 * uniform();
    const visibility = 0.33 * uniform() ** 2;
    const price = Math.round((31 + 235 * uniform()) * 100) / 100;
    const outlet = random.below(OUTLETS);
    const year = 1985 + ((outlet * 7) % 25);
    const item = random.below(ITEM_TYPES);
    const row = [weight, visibility, price, year];
    for (let t = 0; t < ITEM_TYPES; t++) row.push(t === item ? 1 : 0);
    for (let o = 0; o < OUTLETS; o++) row.push(o === outlet ? 1 : 0);
    x.push(row);
    y.push(Math.max(33, price * 15 * outletEffect[outlet]! + 800 * (uniform() + uniform() + uniform() - 1.5)));
  }
  return { x, y };
}

function seconds(run: () => unknown): number {
  const t0 = performance.now();
  run();
  return (performance.now() - t0) / 1000;
}

export function benchTabularEngine(report: BenchReport, skipCart: boolean): void {
  const options = { task: 'regression' as const, seed: 0 };
  const depth = 8;
  const full = bigmartLike(100_000, 1);

  for (const rows of [1_000, 8_523]) {
    const x = full.x.slice(0, rows);
    const y = full.y.slice(0, rows);
    const treeHyper = { ...treeLearner.defaults, maxDepth: depth, minSplit: 4 };
    treeLearner.fit(x, y, treeHyper, options);
    const tree = Math.min(...[0, 1, 2].map(() => seconds(() => treeLearner.fit(x, y, treeHyper, options))));
    const cart =
      skipCart && rows > 1_000
        ? NaN
        : seconds(() => cartLearner.fit(x, y, { maxDepth: depth, minNumSamples: 3, gainThreshold: null }, options));
    report({
      step: 'fit',
      rows,
      features: x[0]!.length,
      maxDepth: depth,
      treeSeconds: round(tree, 4),
      cartSeconds: round(cart, 2),
      speedup: round(cart / tree, 0),
    });
  }

  {
    const hyper = { ...treeLearner.defaults, maxDepth: depth };
    const s = Math.min(...[0, 1, 2].map(() => seconds(() => treeLearner.fit(full.x, full.y, hyper, options))));
    report({
      step: 'large',
      rows: full.x.length,
      features: full.x[0]!.length,
      maxDepth: depth,
      treeSeconds: round(s, 3),
    });
  }

  {
    const x = full.x.slice(0, 8_523);
    const y = full.y.slice(0, 8_523);
    const rows = full.x.slice(10_000, 20_000);
    // The defaults (leaves of 5 rows or more), then fully grown trees (leaves of 1 row).
    for (const minLeaf of [forestLearner.defaults.minLeaf, 1]) {
      const hyper = { ...forestLearner.defaults, trees: 300, minLeaf };
      let model = forestLearner.fit(x, y, hyper, options);
      const fit = seconds(() => (model = forestLearner.fit(x, y, hyper, options)));
      const nodes = model.params.trees.reduce((s, t) => s + t.feature.length, 0);
      for (const row of rows.slice(0, 1000)) forestLearner.predict(model, [row]);
      const t0 = performance.now();
      for (const row of rows) forestLearner.predict(model, [row]);
      const perRow = ((performance.now() - t0) * 1000) / rows.length;
      report({
        step: 'forest',
        rows: x.length,
        trees: 300,
        minLeaf,
        nodes,
        jsonMiB: round(JSON.stringify(model).length / 2 ** 20, 1),
        fitSeconds: round(fit, 2),
        predictOneRowMicroseconds: round(perRow, 1),
      });
    }

    const boosting = seconds(() =>
      boostingLearner.fit(x, y, { ...boostingLearner.defaults, trees: 300, maxDepth: 6 }, options),
    );
    report({ step: 'boosting', rows: x.length, trees: 300, maxDepth: 6, fitSeconds: round(boosting, 2) });
  }
}
