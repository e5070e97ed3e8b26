import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState, rootCause } from '@temporalio/common';
import { invalidInput } from '../../contracts/failures.ts';
import { failureReason } from '../../platform/temporal.ts';

describe('failureReason', () => {
  const activityFailed = (cause: Error) =>
    new WorkflowFailedError(
      'Workflow execution failed',
      new ActivityFailure('Activity task failed', 'measureFiles', '1', RetryState.NON_RETRYABLE_FAILURE, 'w', cause),
      RetryState.NON_RETRYABLE_FAILURE,
    );

  it("gives a failed run's innermost cause, where the SDK's rootCause stops at the client's error", () => {
    const err = activityFailed(invalidInput('uris[0]', 'object gs://b/x.csv does not exist'));
    assert.equal(rootCause(err), 'Workflow execution failed');
    assert.equal(failureReason(err), 'uris[0]: object gs://b/x.csv does not exist');
  });

  it('skips an innermost cause without a message, and reads errors that are no failures', () => {
    assert.equal(failureReason(activityFailed(ApplicationFailure.create({ message: '' }))), 'Activity task failed');
    assert.equal(failureReason(new Error('outer', { cause: new Error('inner') })), 'inner');
    assert.equal(failureReason('a string'), 'a string');
  });
});
