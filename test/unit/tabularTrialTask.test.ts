import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crossValidateTrial } from '../../activities/training/tabularTrialTask.ts';
import { crossValidate } from '../../ml/tabular/evaluate.ts';
import { BIGMART_SPEC } from '../../ml/tabular/presets/bigmart.ts';
import { filterRows } from '../../ml/tabular/rows.ts';
import { generateBigMart } from '../../scripts/data/bigmartGenerator.ts';

describe('crossValidateTrial (the fit thread task)', () => {
  it('scores each trial as crossValidate does, with folds kept per run and feature set', () => {
    const { rows } = filterRows(BIGMART_SPEC, generateBigMart({ seed: 8, rows: 400 }).train);
    const other = filterRows(BIGMART_SPEC, generateBigMart({ seed: 9, rows: 400 }).train).rows;
    const task = { spec: BIGMART_SPEC, folds: 3, seed: 2 };
    for (const [runId, runRows] of [
      ['run-a', rows],
      ['run-b', other],
      ['run-a', rows],
    ] as const)
      for (const params of [
        { alpha: 1, features: 'seed' },
        { alpha: 1, features: 'signal' },
        { alpha: 3, features: 'seed' },
      ])
        assert.deepEqual(
          crossValidateTrial({ ...task, runId, rows: runRows, learner: 'lasso', params }),
          crossValidate(BIGMART_SPEC, runRows, 'lasso', params, task),
          `${runId} ${JSON.stringify(params)}`,
        );
  });
});
