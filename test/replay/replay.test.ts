import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { loadConfig } from '../../platform/config.ts';
import { newPayloadKeyEntry } from '../../platform/payloadCodec.ts';
import { temporalDataConverter } from '../../platform/temporal.ts';
import { WORKFLOWS_PATH } from '../../workers/run.ts';
import * as workflows from '../../workflows/index.ts';

const dir = import.meta.dirname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.history.json'))
  .sort();
const recorded = (file: string): { workflowId: string; history: unknown } => ({
  workflowId: file.replace('.history.json', ''),
  history: JSON.parse(readFileSync(path.join(dir, file), 'utf8')),
});
/** The workflow type a history ran. */
const workflowType = (history: unknown): string =>
  (history as { events: { workflowExecutionStartedEventAttributes: { workflowType: { name: string } } }[] }).events[0]!
    .workflowExecutionStartedEventAttributes.workflowType.name;

// Replayed as the workers run: through the encrypting data converter (the recorded histories
// predate encryption, so their payloads pass through it unencrypted).
const dataConverter = temporalDataConverter(loadConfig({ PAYLOAD_KEYS: newPayloadKeyEntry('replay') }).temporal);
const replayOptions = (workflowsPath: string) => ({ workflowsPath, dataConverter });

describe('workflow replay', () => {
  it('has a recorded history of every workflow', () => {
    const types = new Set(files.map((f) => workflowType(recorded(f).history)));
    assert.deepEqual([...types].sort(), Object.keys(workflows).sort());
  });

  it('replays every recorded history deterministically, in one replay worker', async () => {
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(replayOptions(WORKFLOWS_PATH), files.map(recorded))) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.deepEqual(failures, []);
    assert.equal(replayed, files.length);
  });

  it('replays with the bundle an image builds ahead (npm run bundle:workflows, WORKFLOW_BUNDLE_PATH)', async () => {
    const codePath = path.join(mkdtempSync(path.join(tmpdir(), 'rf-bundle-')), 'workflow-bundle.js');
    const root = path.resolve(dir, '../..');
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/bundle-workflows.ts', codePath], {
      cwd: root,
    });
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath }, dataConverter },
      files.map(recorded),
    ))
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    assert.deepEqual(failures, []);
  });

  it('fails a recorded history replayed against a changed workflow', async () => {
    const { workflowId, history } = recorded('stackCheck.history.json');
    const results = [];
    for await (const result of Worker.runReplayHistories(replayOptions(path.join(dir, 'changed', 'index.ts')), [
      { workflowId, history },
    ]))
      results.push(result);
    assert.equal(results.length, 1);
    assert.ok(
      results[0]!.error instanceof DeterminismViolationError,
      `expected a DeterminismViolationError, got ${String(results[0]!.error)}`,
    );
  });

  it('fails a recorded history whose events no longer match', async () => {
    // A history whose first activity was a different one must fail replay too.
    const { history } = recorded('stackCheck.history.json') as {
      history: { events: Record<string, { activityType?: { name: string } }>[] };
    };
    const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes)!;
    scheduled.activityTaskScheduledEventAttributes!.activityType = { name: 'somethingElse' };
    await assert.rejects(
      Worker.runReplayHistory(replayOptions(WORKFLOWS_PATH), history, 'tampered'),
      DeterminismViolationError,
    );
  });
});
