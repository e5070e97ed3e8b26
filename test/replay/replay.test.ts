import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/run.ts';

const dir = import.meta.dirname;
const files = readdirSync(dir).filter((f) => f.endsWith('.history.json')).sort();

describe('workflow replay', () => {
  it('has recorded histories to replay', () => {
    assert.ok(files.includes('stackCheck.history.json'));
    assert.ok(files.includes('dailyIngest.history.json'));
    assert.ok(files.includes('weeklyTraining.history.json'));
    assert.ok(files.includes('backfillIngest.history.json'));
    assert.ok(files.includes('backfillIngestCancelled.history.json'));
    assert.ok(files.includes('reconcileRuns.history.json'));
  });

  for (const file of files) {
    it(`replays ${file} deterministically`, async () => {
      const history: unknown = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, file.replace('.history.json', ''));
    });
  }

  it('detects a nondeterministic change', async () => {
    // A history whose first activity was a different one must fail replay: proof the check bites.
    const history = JSON.parse(readFileSync(path.join(dir, 'stackCheck.history.json'), 'utf8')) as { events: Record<string, { activityType?: { name: string } }>[] };
    const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes)!;
    scheduled.activityTaskScheduledEventAttributes!.activityType = { name: 'somethingElse' };
    await assert.rejects(Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, 'tampered'), /[Nn]ondeterminism|DeterminismViolation/);
  });
});
