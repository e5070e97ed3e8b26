// The worker's log lines name the run they come from: a workflow's (the SDK's workflow `log`) its
// workflow id, run id and type; an activity's, whether written by the SDK, by `Context.current().log`
// or by our own code on the worker's pino logger, also the activity type. Captured from the
// worker's own logger (workers/sdkLogger.ts) on a real Temporal dev server.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sdkLogger, workerLogger } from '../../workers/sdkLogger.ts';
import { startTestTemporal, withWorker } from './env.ts';

const lines: Record<string, unknown>[] = [];
const destination = new PassThrough();
let buffered = '';
destination.on('data', (chunk: Buffer) => {
  buffered += chunk.toString();
  const complete = buffered.split('\n');
  buffered = complete.pop()!;
  for (const line of complete) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
});
const log = workerLogger('debug', destination);

describe('worker log lines', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestTemporal(sdkLogger(log));
  });
  after(() => env?.teardown());

  it('carry the workflow id, run id, workflow type and activity type', async () => {
    const workflowId = `stack-check-logs-${Date.now()}`;
    const runId = await withWorker(
      env,
      {
        recordStackCheck: () => {
          log.info({ part: 'postgres' }, 'row written');
          return Promise.resolve();
        },
        exportStackCheck: () => {
          Context.current().log.info('object exported');
          return Promise.resolve('gs://bucket/stack-check.json');
        },
        loadStackCheck: () => Promise.resolve(),
        countStackCheck: () => Promise.resolve({ postgres: 1, gcs: 1, bigquery: 1 }),
      },
      async (taskQueue) => {
        const handle = await env.client.workflow.start('stackCheck', { workflowId, taskQueue });
        await handle.result();
        return handle.firstExecutionRunId;
      },
    );
    const run = { workflowId, runId, workflowType: 'stackCheck' };
    const line = (msg: string) => {
      const found = lines.find((l) => l.msg === msg && l.workflowId === workflowId);
      assert.ok(found, `no line "${msg}" of ${workflowId} among ${lines.length}`);
      return found;
    };
    // Our own code in an activity, on the worker's logger.
    assert.deepEqual(pick(line('row written'), ['workflowId', 'runId', 'workflowType', 'activityType', 'part']), {
      ...run,
      activityType: 'recordStackCheck',
      part: 'postgres',
    });
    // The activity's SDK logger, and the SDK's own activity lines.
    assert.deepEqual(pick(line('object exported'), ['workflowId', 'runId', 'workflowType', 'activityType']), {
      ...run,
      activityType: 'exportStackCheck',
    });
    assert.equal(line('Activity completed').runId, runId);
    assert.equal(line('object exported').workflowRunId, undefined);
    assert.equal(line('object exported').taskToken, undefined);
    // The workflow's `log`, sunk to the worker.
    assert.deepEqual(pick(line('Workflow completed'), ['workflowId', 'runId', 'workflowType']), run);
  });
});

const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));
