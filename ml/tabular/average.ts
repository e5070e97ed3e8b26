// An averaged ensemble for regression: its members (a forest, boosted trees and ridge, each fitted
// by its own learner on the same rows) predict, and the model predicts their mean. Members err
// differently (the forest's flat extrapolation, boosting's variance, ridge's linearity), so the
// mean is steadier from one month to the next than any of them (bench/README.md, air quality).
// Hyperparameters are flat, prefixed by the member (forestMinLeaf, boostingLearningRate, ...), so a
// search space draws them like any other learner's.
import { ridge } from './linear.ts';
import type { Learner, TabularModel } from './learner.ts';
import { boostingLearner } from './trees/boosting.ts';
import { forestLearner } from './trees/forest.ts';

const MEMBERS = { forest: forestLearner, boosting: boostingLearner, ridge } as const;
type MemberName = keyof typeof MEMBERS;

export type AverageHyper = {
  /** The members, joined by '+', e.g. 'forest+boosting+ridge'. */
  members: string;
  forestTrees: number;
  forestMinLeaf: number;
  forestFeatureFraction: number;
  boostingLearningRate: number;
  boostingMaxDepth: number;
  boostingMinLeaf: number;
  boostingRowFraction: number;
  boostingFeatureFraction: number;
  ridgeAlpha: number;
};

export type AverageParams = { members: TabularModel[] };

const defaults: AverageHyper = {
  members: 'forest+boosting+ridge',
  forestTrees: 100,
  forestMinLeaf: 3,
  forestFeatureFraction: 0.5,
  boostingLearningRate: 0.05,
  boostingMaxDepth: 6,
  boostingMinLeaf: 20,
  boostingRowFraction: 0.8,
  boostingFeatureFraction: 0.8,
  ridgeAlpha: 1,
};

/** The members named by `members`; an unknown or repeated one is an error naming it. */
export function averageMembers(members: unknown): MemberName[] {
  if (typeof members !== 'string' || members === '')
    throw new Error(`average: members must be member names joined by '+', got ${JSON.stringify(members)}`);
  const names = members.split('+');
  for (const name of names)
    if (!Object.hasOwn(MEMBERS, name))
      throw new Error(`average: unknown member ${JSON.stringify(name)} in members (known: forest, boosting, ridge)`);
  if (new Set(names).size !== names.length) throw new Error(`average: members repeats a member: ${members}`);
  return names as MemberName[];
}

/** Each member's own hyperparameters from the flat ones. */
function memberHyper(name: MemberName, h: AverageHyper): Record<string, unknown> {
  if (name === 'forest')
    return { trees: h.forestTrees, minLeaf: h.forestMinLeaf, featureFraction: h.forestFeatureFraction };
  if (name === 'boosting')
    return {
      learningRate: h.boostingLearningRate,
      maxDepth: h.boostingMaxDepth,
      minLeaf: h.boostingMinLeaf,
      rowFraction: h.boostingRowFraction,
      featureFraction: h.boostingFeatureFraction,
    };
  return { alpha: h.ridgeAlpha };
}

const learnerOf = (name: string) => MEMBERS[name as MemberName] as Learner;

export const averageLearner: Learner<AverageHyper, AverageParams> = {
  name: 'average',
  defaults,
  fit(x, y, hyper, options) {
    if (options.task !== 'regression') throw new Error(`average: regression only, got task ${options.task}`);
    for (const key of Object.keys(hyper))
      if (!Object.hasOwn(defaults, key)) throw new Error(`average: unknown hyperparameter "${key}"`);
    const h = { ...defaults, ...hyper };
    const members = averageMembers(h.members).map((name, m) =>
      // a seed per member, so two members' random draws do not coincide
      learnerOf(name).fit(x, y, memberHyper(name, h), { ...options, seed: options.seed + m }),
    );
    return { learner: 'average', task: 'regression', features: members[0]!.features, params: { members } };
  },
  predict(model, x) {
    const sum = new Float64Array(x.length);
    for (const member of model.params.members) {
      const p = learnerOf(member.learner).predict(member, x);
      for (let i = 0; i < p.length; i++) sum[i]! += p[i]!;
    }
    return Array.from(sum, (s) => s / model.params.members.length);
  },
};
