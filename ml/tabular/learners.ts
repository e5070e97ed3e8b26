// Every tabular learner by name, with the tasks it does and its search spaces (a grid and the
// ranges of a random search). Adding a learner is one entry here. The spaces suit features the
// dataset spec has scaled (standardized numbers, 0/1 dummies).
import type { Learner, Task } from './learner.ts';
import { knn } from './knn.ts';
import { elasticNet, lasso, ridge } from './linear.ts';
import { logistic } from './logistic.ts';
import type { SearchSpace, Trial } from './searchSpace.ts';

export interface RegisteredLearner {
  learner: Learner;
  tasks: readonly Task[];
  grid: SearchSpace;
  random: SearchSpace;
}

const registered = {
  ridge: {
    learner: ridge,
    tasks: ['regression'],
    grid: { alpha: [0.01, 0.1, 1, 10, 100] },
    random: { alpha: { min: 1e-3, max: 1e3, log: true } },
  },
  lasso: {
    learner: lasso,
    tasks: ['regression'],
    grid: { alpha: [0.01, 0.1, 1, 10] },
    random: { alpha: { min: 1e-3, max: 1e2, log: true } },
  },
  elasticNet: {
    learner: elasticNet,
    tasks: ['regression'],
    grid: { alpha: [0.01, 0.1, 1, 10], l1Ratio: [0.1, 0.5, 0.9] },
    random: { alpha: { min: 1e-3, max: 1e2, log: true }, l1Ratio: { min: 0.05, max: 1 } },
  },
  logistic: {
    learner: logistic,
    tasks: ['binary'],
    grid: { C: [0.01, 0.1, 1, 10, 100] },
    random: { C: { min: 1e-3, max: 1e3, log: true } },
  },
  knn: {
    learner: knn,
    tasks: ['regression', 'binary'],
    grid: { k: [3, 5, 10, 20, 40], weights: ['uniform', 'distance'] },
    random: { k: { min: 1, max: 50, log: true, integer: true }, weights: ['uniform', 'distance'] },
  },
} as const satisfies Record<string, RegisteredLearner>;

export type LearnerName = keyof typeof registered;

export const LEARNERS: Readonly<Record<LearnerName, RegisteredLearner>> = registered;

/** The registered learner of that name; an unknown name is an error listing the known ones. */
export function learnerByName(name: string): RegisteredLearner {
  if (!Object.hasOwn(LEARNERS, name))
    throw new Error(`unknown learner ${name} (known: ${Object.keys(LEARNERS).join(', ')})`);
  return LEARNERS[name as LearnerName];
}

/** A trial's hyperparameters over the learner's defaults; a name the learner lacks is an error. */
export function trialHyperparameters(learner: Learner, trial: Trial): Record<string, unknown> {
  for (const name of Object.keys(trial))
    if (!Object.hasOwn(learner.defaults, name))
      throw new Error(
        `${learner.name}: unknown hyperparameter ${name} (known: ${Object.keys(learner.defaults).join(', ')})`,
      );
  return { ...learner.defaults, ...trial };
}
