import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { tabularActivities, tabularSpec } from '../../activities/tabularTraining.ts';
import type { Deps } from '../../activities/deps.ts';
import { DEFAULT_TABULAR_TRAINING } from '../../contracts/tabular.ts';
import { DEFAULT_POWER_USER_SEARCH } from '../../contracts/powerUsers.ts';
import { LEARNERS } from '../../ml/tabular/learners.ts';
import { POWER_USER_SPEC } from '../../ml/tabular/presets/powerUser.ts';
import { bigmartSearchSpec, bigmartSpec } from '../../ml/tabular/presets/bigmart.ts';
import { planTrials, SearchPlanError, type SearchPlanOptions } from '../../ml/tabular/searchPlan.ts';
import { sampleTrials } from '../../ml/tabular/searchSpace.ts';

const spec = bigmartSpec('all', 'signal');
const search = (o: Partial<SearchPlanOptions>): SearchPlanOptions => ({ kind: 'random', trials: 7, seed: 4, ...o });

describe('planTrials', () => {
  it('deals random trials round the learners, each drawn with its own seed, numbered from 0', () => {
    const plan = planTrials(spec, search({ learners: ['ridge', 'lasso', 'tree'] }));
    assert.deepEqual(
      plan.map((p) => p.trial),
      [0, 1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      plan.map((p) => p.learner),
      ['ridge', 'ridge', 'ridge', 'lasso', 'lasso', 'tree', 'tree'],
    );
    assert.deepEqual(
      plan.filter((p) => p.learner === 'lasso').map((p) => p.params),
      sampleTrials(LEARNERS.lasso.random, { kind: 'random', n: 2, seed: 5 }),
    );
    assert.deepEqual(planTrials(spec, search({ learners: ['ridge', 'lasso', 'tree'] })), plan, 'same seed, same plan');
  });

  it('runs every learner grid in turn, cut at the number of trials', () => {
    const plan = planTrials(spec, search({ kind: 'grid', trials: 7, learners: ['ridge', 'lasso'] }));
    assert.deepEqual(
      plan.map((p) => [p.learner, p.params.alpha]),
      [
        ['ridge', 0.01],
        ['ridge', 0.1],
        ['ridge', 1],
        ['ridge', 10],
        ['ridge', 100],
        ['lasso', 0.01],
        ['lasso', 0.1],
      ],
    );
  });

  it("runs the spec's grid of a learner in place of the learner's own; the power-user grid: 4 learners x 4 samplings, 108 trials", () => {
    const withGrid = { ...spec, grids: { ridge: { alpha: [3, 30] } } };
    const plan = planTrials(withGrid, search({ kind: 'grid', trials: 100, learners: ['ridge', 'lasso'] }));
    assert.deepEqual(
      plan.map((p) => [p.learner, p.params.alpha]),
      [
        ['ridge', 3],
        ['ridge', 30],
        ['lasso', 0.01],
        ['lasso', 0.1],
        ['lasso', 1],
        ['lasso', 10],
      ],
    );
    const power = planTrials(POWER_USER_SPEC, {
      ...search({ kind: 'grid', trials: 1000 }),
      ...DEFAULT_POWER_USER_SEARCH,
    });
    assert.equal(power.length, 108);
    const arms = new Map<string, number>();
    for (const t of power)
      arms.set(
        `${t.learner}/${String(t.params.sampling)}`,
        (arms.get(`${t.learner}/${String(t.params.sampling)}`) ?? 0) + 1,
      );
    assert.deepEqual(
      [...arms].sort(),
      ['boosting', 'forest', 'knn', 'logistic']
        .flatMap((l) =>
          ['adasyn', 'none', 'random', 'smote'].map((s) => [
            `${l}/${s}`,
            { knn: 14, logistic: 5, forest: 4, boosting: 4 }[l],
          ]),
        )
        .sort(),
    );
  });

  it('searches every learner of the task by default, but the opt-in average', () => {
    const plan = planTrials(spec, search({ trials: 100 }));
    assert.ok(!plan.some((p) => p.learner === 'logistic'), 'logistic is classification only');
    assert.deepEqual(
      [...new Set(plan.map((p) => p.learner))].sort(),
      Object.keys(LEARNERS)
        .filter((n) => n !== 'logistic' && n !== 'average')
        .sort(),
    );
    assert.ok(planTrials(spec, search({ trials: 4, learners: ['average'] })).every((p) => p.learner === 'average'));
  });

  it("deals random trials round each learner's feature sets when the spec has several, named in the trial", () => {
    const plan = planTrials(bigmartSearchSpec('seed'), search({ trials: 5, learners: ['ridge', 'tree'] }));
    assert.deepEqual(
      plan.map((p) => [p.learner, p.params.features]),
      [
        ['ridge', 'seed'],
        ['ridge', 'seed'],
        ['ridge', 'signal'],
        ['tree', 'seed'],
        ['tree', 'signal'],
      ],
    );
    assert.deepEqual(
      plan
        .filter((p) => p.learner === 'tree' && p.params.features === 'signal')
        .map(({ params: { features: _, ...rest } }) => rest),
      sampleTrials(LEARNERS.tree.random, { kind: 'random', n: 1, seed: 4 + 3 }),
    );
    const grid = planTrials(bigmartSearchSpec('all'), search({ kind: 'grid', trials: 100, learners: ['ridge'] }));
    assert.deepEqual(
      grid.map((p) => [p.params.features, p.params.alpha]),
      ['seed', 'signal'].flatMap((f) => [0.01, 0.1, 1, 10, 100].map((alpha) => [f, alpha])),
    );
  });

  it('names the field for an unknown learner or one of another task', () => {
    for (const [learners, message] of [
      [['ridge', 'xgboost'], /^search\.learners: unknown learner xgboost/],
      [['logistic'], /^search\.learners: logistic does not do regression/],
      [[], /^search\.learners: no learner/],
    ] as const)
      assert.throws(
        () => planTrials(spec, search({ learners: [...learners] })),
        (e: unknown) => e instanceof SearchPlanError && e.field === 'search.learners' && message.test(e.message),
      );
  });
});

describe('planTabularTrials (activity)', () => {
  const { planTabularTrials } = tabularActivities({} as Deps);
  const options = (learners: string[]) => ({
    model: 'bigmart',
    source: { kind: 'csv' as const, uri: 'gs://bucket/Train.csv' },
    ...DEFAULT_TABULAR_TRAINING,
    search: { ...DEFAULT_TABULAR_TRAINING.search, learners },
  });

  it("plans the preset's search, the costliest learners first", async () => {
    const learners = ['ridge', 'forest', 'knn', 'boosting'];
    const planned = await planTabularTrials(options(learners));
    const plan = planTrials(tabularSpec('bigmart'), { ...DEFAULT_TABULAR_TRAINING.search, learners });
    assert.deepEqual(
      [...planned].sort((a, b) => a.trial - b.trial),
      plan,
      'the same trials',
    );
    const order = planned.map((t) => t.learner).filter((l, i, all) => all[i - 1] !== l);
    assert.deepEqual(order, ['forest', 'boosting', 'knn', 'ridge']);
    for (let i = 1; i < planned.length; i++)
      if (planned[i]!.learner === planned[i - 1]!.learner) assert.ok(planned[i]!.trial > planned[i - 1]!.trial);
  });

  it('fails a search that cannot be planned as bad input naming the field, and an unknown model', () => {
    assert.throws(
      () => planTabularTrials(options(['xgboost'])),
      (e: unknown) =>
        e instanceof ApplicationFailure &&
        e.nonRetryable &&
        /^search\.learners: unknown learner xgboost/.test(e.message),
    );
    assert.throws(() => tabularSpec('walmart'), { message: /^model: walmart has no preset/ });
  });
});
