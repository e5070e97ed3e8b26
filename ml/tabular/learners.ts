// Every tabular learner by name, with the tasks it does and its search spaces (a grid and the
// ranges of a random search). Adding a learner is one entry here. The spaces suit features the
// dataset spec has scaled (standardized numbers, 0/1 dummies).
import { averageLearner } from './average.ts';
import type { Learner, Task } from './learner.ts';
import { knn } from './knn.ts';
import { elasticNet, lasso, ridge } from './linear.ts';
import { logistic } from './logistic.ts';
import type { SearchSpace, Trial } from './searchSpace.ts';
import { boostingLearner } from './trees/boosting.ts';
import { forestLearner } from './trees/forest.ts';
import { treeLearner } from './trees/tree.ts';

export interface RegisteredLearner {
  learner: Learner;
  tasks: readonly Task[];
  grid: SearchSpace;
  random: SearchSpace;
  /** Rough fit time of one trial, by rank (1 fastest): a search starts the costliest first. */
  cost: number;
  /** Searched only when a search names it (it costs its members' fits together). */
  optIn?: boolean;
}

const registered = {
  ridge: {
    cost: 1,
    learner: ridge,
    tasks: ['regression'],
    grid: { alpha: [0.01, 0.1, 1, 10, 100] },
    random: { alpha: { min: 1e-3, max: 1e3, log: true } },
  },
  lasso: {
    cost: 1,
    learner: lasso,
    tasks: ['regression'],
    grid: { alpha: [0.01, 0.1, 1, 10] },
    random: { alpha: { min: 1e-3, max: 1e2, log: true } },
  },
  elasticNet: {
    cost: 1,
    learner: elasticNet,
    tasks: ['regression'],
    grid: { alpha: [0.01, 0.1, 1, 10], l1Ratio: [0.1, 0.5, 0.9] },
    random: { alpha: { min: 1e-3, max: 1e2, log: true }, l1Ratio: { min: 0.05, max: 1 } },
  },
  logistic: {
    cost: 1,
    learner: logistic,
    tasks: ['binary'],
    grid: { C: [0.01, 0.1, 1, 10, 100] },
    random: { C: { min: 1e-3, max: 1e3, log: true } },
  },
  knn: {
    cost: 2,
    learner: knn,
    tasks: ['regression', 'binary'],
    grid: { k: [3, 5, 10, 20, 40], weights: ['uniform', 'distance'] },
    random: { k: { min: 1, max: 50, log: true, integer: true }, weights: ['uniform', 'distance'] },
  },
  tree: {
    cost: 1,
    learner: treeLearner,
    tasks: ['regression', 'binary'],
    grid: { maxDepth: [3, 5, 8], minLeaf: [5, 20, 50] },
    random: { maxDepth: { min: 2, max: 12, integer: true }, minLeaf: { min: 1, max: 100, log: true, integer: true } },
  },
  forest: {
    cost: 4,
    learner: forestLearner,
    tasks: ['regression', 'binary'],
    grid: { trees: [100], maxDepth: [8, 16], minLeaf: [5, 20], featureFraction: [1 / 3, 0.6] },
    // Fully grown trees (leaves of 1 or 2 rows) take several times as long to fit and are rarely
    // better on noisy targets; past 200 trees a forest's score barely moves.
    random: {
      trees: { min: 50, max: 200, integer: true },
      minLeaf: { min: 3, max: 50, log: true, integer: true },
      featureFraction: { min: 0.2, max: 1 },
    },
  },
  boosting: {
    cost: 3,
    learner: boostingLearner,
    tasks: ['regression', 'binary'],
    grid: { learningRate: [0.03, 0.1], maxDepth: [3, 6], minLeaf: [20, 50] },
    random: {
      learningRate: { min: 0.01, max: 0.3, log: true },
      maxDepth: { min: 2, max: 8, integer: true },
      minLeaf: { min: 5, max: 100, log: true, integer: true },
      l2: { min: 0.01, max: 10, log: true },
      rowFraction: { min: 0.5, max: 1 },
      featureFraction: { min: 0.5, max: 1 },
    },
  },
  average: {
    cost: 5,
    optIn: true,
    learner: averageLearner,
    tasks: ['regression'],
    grid: { members: ['forest+boosting', 'forest+boosting+ridge'] },
    // around the members' settings that did well on their own (forest, boosting ranges above)
    random: {
      members: ['forest+boosting', 'forest+boosting+ridge'],
      forestTrees: { min: 50, max: 150, integer: true },
      forestMinLeaf: { min: 2, max: 10, log: true, integer: true },
      forestFeatureFraction: { min: 0.33, max: 0.8 },
      boostingLearningRate: { min: 0.02, max: 0.1, log: true },
      boostingMaxDepth: { min: 3, max: 8, integer: true },
      boostingMinLeaf: { min: 10, max: 50, log: true, integer: true },
      ridgeAlpha: { min: 0.1, max: 10, log: true },
    },
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
