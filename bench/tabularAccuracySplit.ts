// One split of the BigMart accuracy report (run in a worker thread): the workflow's selection on
// its training part (the planned trials, k-fold cross-validation, the best by CV RMSE, ties to the
// lower trial number, refitted on the whole training part) and the baselines, all scored on its
// test part.
import { trialObjective } from '../contracts/tabular.ts';
import { crossValidator, fitTabular, predictTabular } from '../ml/tabular/evaluate.ts';
import { LEARNERS } from '../ml/tabular/learners.ts';
import { rmse } from '../ml/tabular/metrics.ts';
import { BIGMART_SEED_MODEL, bigmartSearchSpec, bigmartSpec, type BigMartRows } from '../ml/tabular/presets/bigmart.ts';
import { targets } from '../ml/tabular/rows.ts';
import type { PlannedTrial } from '../ml/tabular/searchPlan.ts';
import type { Trial } from '../ml/tabular/searchSpace.ts';
import type { DatasetSpec } from '../ml/tabular/spec.ts';
import { randomSplit } from '../ml/tabular/split.ts';
import type { RawRow } from '../ml/tabular/values.ts';

export interface AccuracyTask {
  rows: BigMartRows;
  /** The rows after the spec's filters. */
  data: RawRow[];
  split: number;
  plan: PlannedTrial[];
  folds: number;
  /** The search seed (folds and learners' randomness), as the workflow passes it. */
  seed: number;
}

export interface AccuracyOutcome {
  rows: BigMartRows;
  split: number;
  chosen: { trial: number; learner: string; params: Trial; cvRmse: number; testRmse: number };
  /** Test RMSE of each baseline. */
  baselines: Record<string, number>;
  seconds: number;
}

/** The seed's pipeline: its features and its Lasso. */
export const SEED_PIPELINE = 'seed pipeline';
/** A learner at its defaults on the signal features. */
export const defaultsBaseline = (learner: string) => `${learner} defaults, signal features`;

export function evaluateSplit(task: AccuracyTask): AccuracyOutcome {
  const started = performance.now();
  const { data, folds, seed } = task;
  const split = randomSplit(data.length, { testShare: 0.2, seed: task.split });
  const train = split.train.map((i) => data[i]!);
  const test = split.test.map((i) => data[i]!);
  const spec = bigmartSearchSpec(task.rows);
  const y = targets(spec, test);
  const testRmse = (s: DatasetSpec, learner: string, params: Trial) =>
    rmse(y, predictTabular(fitTabular(s, train, learner, params, seed), test));

  // As the workflow's fit threads do: each feature set's folds prepared once for all trials.
  const validate = crossValidator(spec, train, { folds, seed });
  let best: (PlannedTrial & { cvRmse: number }) | undefined;
  for (const t of task.plan) {
    const cvRmse = trialObjective({ metrics: validate(t.learner, t.params) });
    if (!best || cvRmse < best.cvRmse) best = { ...t, cvRmse };
  }
  const chosen = { ...best!, testRmse: testRmse(spec, best!.learner, best!.params) };

  const signal = bigmartSpec(task.rows, 'signal');
  const baselines: Record<string, number> = {
    [SEED_PIPELINE]: testRmse(bigmartSpec(task.rows, 'seed'), BIGMART_SEED_MODEL.learner, BIGMART_SEED_MODEL.params),
  };
  for (const learner of Object.keys(LEARNERS).filter((n) =>
    LEARNERS[n as keyof typeof LEARNERS].tasks.includes('regression'),
  ))
    baselines[defaultsBaseline(learner)] = testRmse(signal, learner, {});
  return { rows: task.rows, split: task.split, chosen, baselines, seconds: (performance.now() - started) / 1000 };
}
