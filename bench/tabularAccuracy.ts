// `npm run bench:tabular-accuracy [-- --file Train.csv] [--trials 14] [--folds 3] [--splits 50] [--threads 2]`:
// the BigMart accuracy report on the generated Train.csv (generator defaults) or, with --file, on
// a real one (results then in tabular-accuracy-file.json), no stack. For the
// seed's rows (drop duplicates, dropna: 4,650) and for all rows with imputation (8,523): over
// random 80/20 splits with seeds 0..splits-1, the workflow's selection on each training part (the
// same planTrials plan over the preset's learners and feature sets, k-fold CV, the best by CV
// RMSE, refitted) scored on the test part, and on the same splits the baselines: the seed's own
// pipeline (its features, its Lasso) and each learner at its defaults on the signal features.
// Test RMSE as mean and population standard deviation over the splits; which learner and feature
// set the search chose how often. One JSON line per result, all in
// bench/results/tabular-accuracy.json. Stopped early (Ctrl-C, SIGTERM), it reports the splits it
// finished (budget.splitsDone). Generated data: compare with the baselines here, not with the
// issue's figures for the real file; those compare with --file's.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { Piscina } from 'piscina';
import { DEFAULT_TABULAR_TRAINING } from '../contracts/tabular.ts';
import { bigmartSearchSpec, type BigMartRows } from '../ml/tabular/presets/bigmart.ts';
import { filterRows } from '../ml/tabular/rows.ts';
import type { RawRow } from '../ml/tabular/values.ts';
import { planTrials } from '../ml/tabular/searchPlan.ts';
import { DEFAULT_BIGMART_OPTIONS, generateBigMart } from '../scripts/data/bigmartGenerator.ts';
import { benchResults } from './results.ts';
import { SEED_PIPELINE, type AccuracyOutcome, type AccuracyTask } from './tabularAccuracySplit.ts';

const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '14' },
    folds: { type: 'string', default: '3' },
    splits: { type: 'string', default: '50' },
    threads: { type: 'string', default: '2' },
    file: { type: 'string' },
  },
});
const whole = (name: string, value: string, min: number) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return n;
};
const trials = whole('trials', args.trials, 1);
const folds = whole('folds', args.folds, 2);
const splits = whole('splits', args.splits, 1);
const threads = whole('threads', args.threads, 1);

const { report, save } = benchResults(args.file ? 'tabular-accuracy-file' : 'tabular-accuracy');
const search = { ...DEFAULT_TABULAR_TRAINING.search, trials, folds };
const budget = {
  data: args.file ? 'file' : 'generated',
  trials,
  folds,
  splits,
  threads,
  searchSeed: search.seed,
  testShare: 0.2,
};
const round = (v: number) => Math.round(v * 10) / 10;
const meanStd = (values: readonly number[]) => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  return { mean: round(mean), std: round(std) };
};
const counts = (keys: readonly string[]) =>
  Object.fromEntries(
    [...keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>())].sort((a, b) => b[1] - a[1]),
  );

const started = performance.now();
const train: readonly RawRow[] = args.file
  ? parse<RawRow>(await readFile(args.file), { columns: true })
  : generateBigMart(DEFAULT_BIGMART_OPTIONS).train;
const pool = new Piscina({
  filename: new URL('./tabularAccuracyThread.mjs', import.meta.url).href,
  maxThreads: threads,
  minThreads: threads,
});
const kinds: BigMartRows[] = ['seed', 'all'];
const plans = new Map(kinds.map((rows) => [rows, planTrials(bigmartSearchSpec(rows), search)]));
const data = new Map(kinds.map((rows) => [rows, filterRows(bigmartSearchSpec(rows), train).rows]));
// split by split, so a run stopped early (SIGINT, SIGTERM) still reports the splits it finished
const tasks: AccuracyTask[] = Array.from({ length: splits }, (_, split) =>
  kinds.map((rows) => ({ rows, data: data.get(rows)!, split, plan: plans.get(rows)!, folds, seed: search.seed })),
).flat();
const outcomes: AccuracyOutcome[] = [];
const done = Promise.all(
  tasks.map((t) =>
    (pool.run(t) as Promise<AccuracyOutcome>).then((o) => {
      outcomes.push(o);
      // progress on stderr (stdout carries the results): a full run takes the better part of an hour
      console.error(
        `[accuracy] ${outcomes.length} of ${tasks.length}: split ${o.split}, ${o.rows} rows, ${o.chosen.learner}/${String(o.chosen.params.features)} test RMSE ${round(o.chosen.testRmse)} (${round(o.seconds)} s)`,
      );
    }),
  ),
);
const stopped = new Promise<string>((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
});
const stoppedBy = await Promise.race([done.then(() => undefined), stopped]);
await pool.destroy();

// only splits finished for both row sets
const finished = [...new Set(outcomes.map((o) => o.split))]
  .filter((split) => kinds.every((rows) => outcomes.some((o) => o.split === split && o.rows === rows)))
  .sort((a, b) => a - b);
const run = { ...budget, splitsDone: finished.length, ...(stoppedBy ? { stoppedBy } : {}) };
for (const rows of kinds) {
  const mine = outcomes.filter((o) => o.rows === rows && finished.includes(o.split)).sort((a, b) => a.split - b.split);
  if (!mine.length) continue;
  const test = mine.map((o) => o.chosen.testRmse);
  const seedPipeline = mine.map((o) => o.baselines[SEED_PIPELINE]!);
  report({
    step: 'search',
    rows,
    n: data.get(rows)!.length,
    budget: run,
    plan: counts(plans.get(rows)!.map((t) => `${t.learner}/${String(t.params.features)}`)),
    testRmse: meanStd(test),
    cvRmse: meanStd(mine.map((o) => o.chosen.cvRmse)),
    chosen: counts(mine.map((o) => `${o.chosen.learner}/${String(o.chosen.params.features)}`)),
    againstSeedPipeline: {
      difference: meanStd(test.map((t, i) => t - seedPipeline[i]!)),
      splitsBetter: test.filter((t, i) => t < seedPipeline[i]!).length,
    },
    splitSeconds: meanStd(mine.map((o) => o.seconds)),
    perSplit: mine.map((o) => ({
      split: o.split,
      learner: o.chosen.learner,
      params: o.chosen.params,
      cvRmse: round(o.chosen.cvRmse),
      testRmse: round(o.chosen.testRmse),
    })),
  });
  for (const baseline of Object.keys(mine[0]!.baselines)) {
    const values = mine.map((o) => o.baselines[baseline]!);
    report({
      step: 'baseline',
      rows,
      baseline,
      splits: mine.length,
      testRmse: meanStd(values),
      perSplit: values.map(round),
    });
  }
}
report({ step: 'total', budget: run, seconds: Math.round((performance.now() - started) / 1000) });
await save();
