// A workflow started with bad input fails at once: a non-retryable InvalidInput naming the field,
// before any activity was scheduled.
import assert from 'node:assert/strict';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

export async function assertInvalidInput(handle: WorkflowHandle, message: RegExp): Promise<void> {
  await assert.rejects(handle.result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError, String(err));
    assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
    assert.equal(err.cause.type, 'InvalidInput');
    assert.equal(err.cause.nonRetryable, true);
    assert.match(err.cause.message, message);
    return true;
  });
  const history = await handle.fetchHistory();
  assert.equal(history.events?.filter((e) => e.activityTaskScheduledEventAttributes).length, 0, 'no activity ran');
}
