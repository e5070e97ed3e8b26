// The workflows every worker registers.
export { backfillIngest } from './backfillIngest.ts';
export { dailyIngest } from './dailyIngest.ts';
export { scheduledDailyIngest } from './scheduledDailyIngest.ts';
export { stackCheck } from './stackCheck.ts';
