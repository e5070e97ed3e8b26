// The workflows every worker registers.
export { backfillIngest } from './backfillIngest.ts';
export { dailyIngest } from './dailyIngest.ts';
export { retrainSeries } from './retrainSeries.ts';
export { scheduledDailyIngest } from './scheduledDailyIngest.ts';
export { scheduledWeeklyTraining } from './scheduledWeeklyTraining.ts';
export { stackCheck } from './stackCheck.ts';
export { weeklyTraining } from './weeklyTraining.ts';
