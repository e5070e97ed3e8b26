// The trials of a hyperparameter search, as plain data: which learner, which hyperparameters and,
// when the spec offers several feature sets, which of them. Pure, so the workflow's activity and
// the benchmarks plan exactly the same search.
import { LEARNERS, type LearnerName } from './learners.ts';
import { SAMPLING_PARAM } from './oversampling.ts';
import { sampleTrials, type Trial } from './searchSpace.ts';
import { FEATURE_SET_PARAM, type DatasetSpec } from './spec.ts';

export interface SearchPlanOptions {
  kind: 'grid' | 'random';
  /** Trials to plan (a grid larger than this is cut at this many, in order). */
  trials: number;
  seed: number;
  /** Learners to search; default all of the spec's task but the opt-in ones (learners.ts). */
  learners?: readonly string[];
}

/** A trial to run: its number in the search, the learner and its parameters. */
export interface PlannedTrial {
  trial: number;
  learner: string;
  params: Trial;
}

/** A search that cannot be planned; `field` is the search option at fault (e.g. `search.learners`). */
export class SearchPlanError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'SearchPlanError';
  }
}

const learnerOf = (name: string) => LEARNERS[name as LearnerName];

/**
 * The trials of a search over the task's learners (or the chosen ones), crossed with the spec's
 * feature sets when it has several (the feature set is then the trial's `features` parameter) and
 * with its oversamplings when it names them (the trial's `sampling` parameter).
 * Grid: every learner's grid (the spec's, else the learner's own) in turn, once per feature set and
 * sampling. Random: the trials dealt
 * round the (learner, feature set, sampling) arms, each arm's draws seeded from the search seed.
 * Cut at `trials`, numbered from 0.
 */
export function planTrials(spec: DatasetSpec, search: SearchPlanOptions): PlannedTrial[] {
  const names =
    search.learners ??
    Object.keys(LEARNERS).filter((n) => learnerOf(n).tasks.includes(spec.task) && !learnerOf(n).optIn);
  for (const name of names) {
    if (!Object.hasOwn(LEARNERS, name))
      throw new SearchPlanError(
        'search.learners',
        `unknown learner ${name} (known: ${Object.keys(LEARNERS).join(', ')})`,
      );
    if (!learnerOf(name).tasks.includes(spec.task))
      throw new SearchPlanError('search.learners', `${name} does not do ${spec.task}`);
  }
  if (!names.length) throw new SearchPlanError('search.learners', 'no learner to search');
  const featureSets = Object.keys(spec.featureSets ?? {});
  const samplings = spec.samplings ?? [];
  const arms: { learner: string; features?: string; sampling?: string }[] = names
    .flatMap((learner) => (featureSets.length ? featureSets.map((features) => ({ learner, features })) : [{ learner }]))
    .flatMap((arm) => (samplings.length ? samplings.map((sampling) => ({ ...arm, sampling })) : [arm]));
  const withArm = (params: Trial, { features, sampling }: (typeof arms)[number]): Trial => ({
    ...(features === undefined ? {} : { [FEATURE_SET_PARAM]: features }),
    ...(sampling === undefined ? {} : { [SAMPLING_PARAM]: sampling }),
    ...params,
  });
  const drawn: { learner: string; params: Trial }[] =
    search.kind === 'grid'
      ? arms.flatMap((arm) =>
          sampleTrials(spec.grids?.[arm.learner] ?? learnerOf(arm.learner).grid, { kind: 'grid' }).map((params) => ({
            learner: arm.learner,
            params: withArm(params, arm),
          })),
        )
      : arms.flatMap((arm, a) => {
          const n = Math.floor(search.trials / arms.length) + (a < search.trials % arms.length ? 1 : 0);
          return n
            ? sampleTrials(learnerOf(arm.learner).random, { kind: 'random', n, seed: search.seed + a }).map(
                (params) => ({ learner: arm.learner, params: withArm(params, arm) }),
              )
            : [];
        });
  return drawn.slice(0, search.trials).map((t, trial) => ({ trial, ...t }));
}

/**
 * The trials in the order to start them: the costliest learners first, in trial order within a
 * learner. With a bounded number running at once, long trials started last would run alone at
 * the end while the other slots idle (longest-first scheduling keeps them busy).
 */
export function startOrder<T extends Pick<PlannedTrial, 'trial' | 'learner'>>(plan: readonly T[]): T[] {
  return [...plan].sort((a, b) => learnerOf(b.learner).cost - learnerOf(a.learner).cost || a.trial - b.trial);
}
