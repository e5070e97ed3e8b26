// Failures a retry cannot fix. Workflows and activities throw them for bad input, and every retry
// policy lists INVALID_INPUT as non-retryable, so bad input fails at once, naming the field.
import { ApplicationFailure, type RetryPolicy } from '@temporalio/common';

export const INVALID_INPUT = 'InvalidInput';

export const invalidInput = (field: string, problem: string): ApplicationFailure =>
  ApplicationFailure.nonRetryable(`${field}: ${problem}`, INVALID_INPUT);

/** How the pipelines' activities retry: from a second apart up to 30 s, ten attempts; bad input never. */
export const PIPELINE_RETRY: RetryPolicy = {
  initialInterval: '1 second',
  maximumInterval: '30 seconds',
  maximumAttempts: 10,
  nonRetryableErrorTypes: [INVALID_INPUT],
};

/** The ingests' too, where counts that do not reconcile would not reconcile on a retry either. */
export const INGEST_RETRY: RetryPolicy = {
  ...PIPELINE_RETRY,
  nonRetryableErrorTypes: ['ReconciliationMismatch', INVALID_INPUT],
};
