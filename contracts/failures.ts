// Failures a retry cannot fix. Workflows and activities throw them for bad input, and every retry
// policy lists INVALID_INPUT as non-retryable, so bad input fails at once, naming the field.
import { ApplicationFailure } from '@temporalio/common';

export const INVALID_INPUT = 'InvalidInput';

export const invalidInput = (field: string, problem: string): ApplicationFailure =>
  ApplicationFailure.nonRetryable(`${field}: ${problem}`, INVALID_INPUT);
