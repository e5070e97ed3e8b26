import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SearchAttributePair } from '@temporalio/common';
import { PIPELINE_ATTRIBUTE } from '../../contracts/searchAttributes.ts';
import { loadConfig } from '../../platform/config.ts';
import { scheduleDefinitions } from '../../platform/schedules.ts';
import * as workflows from '../../workflows/index.ts';

describe('schedule definitions', () => {
  it('name the workflow functions the worker registers, not strings', () => {
    const registered = new Set<unknown>(Object.values(workflows));
    for (const def of scheduleDefinitions(loadConfig({}))) {
      assert.equal(def.action.type, 'startWorkflow');
      assert.equal(typeof def.action.workflowType, 'function', def.scheduleId);
      assert.ok(
        registered.has(def.action.workflowType),
        `${def.scheduleId}'s workflow is exported by workflows/index.ts`,
      );
    }
  });

  it('start each run with its pipeline attribute, so a run is listed before a worker picks it up', () => {
    const pipelines = scheduleDefinitions(loadConfig({})).map((def) => {
      const pairs = def.action.typedSearchAttributes as SearchAttributePair[] | undefined;
      return pairs?.find((p) => p.key.name === PIPELINE_ATTRIBUTE.name)?.value;
    });
    assert.deepEqual(pipelines, [
      'scheduled-ingest',
      'scheduled-training',
      'scheduled-segmentation',
      'scheduled-tabular',
      'air-quality',
      'reconcile',
    ]);
  });
});
