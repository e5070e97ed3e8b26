import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrainingProgress } from '../../contracts/training.ts';
import { trainingProgress } from '../../workflows/weeklyTraining.ts';

describe("the weekly training's progress query", () => {
  const state = (): TrainingProgress => ({
    stage: 'training',
    seriesPerSecond: 0,
    etaSeconds: null,
    counts: {
      series: 1000,
      shards: 8,
      shardsDone: 2,
      done: 250,
      fitted: 240,
      unfit: 10,
      promoted: 200,
      forecasts: 1680,
    },
  });

  it('answers the rate and time left as of now', () => {
    const answer = trainingProgress(state(), 10);
    assert.equal(answer.seriesPerSecond, 25);
    assert.equal(answer.etaSeconds, 30);
    assert.deepEqual(answer.counts, state().counts);
    assert.deepEqual(trainingProgress(state(), 0), state(), 'no rate before any time has passed');
  });

  it("leaves the workflow's state as it was and shares no object with it", () => {
    const progress = state();
    const answer = trainingProgress(progress, 10);
    assert.deepEqual(progress, state());
    assert.notEqual(answer, progress);
    assert.notEqual(answer.counts, progress.counts);
  });
});
