// stackCheck: one row through every service (Postgres -> GCS -> BigQuery), then count it in each.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { StackCheckActivities } from '../activities/stackCheck.ts';
import type { StackCheckResult } from '../contracts/stackCheck.ts';
import { tagRun } from './runTags.ts';

const { recordStackCheck, exportStackCheck, loadStackCheck, countStackCheck } = proxyActivities<StackCheckActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
});

export async function stackCheck(): Promise<StackCheckResult> {
  tagRun({ pipeline: 'stack-check' });
  const checkId = workflowInfo().workflowId;
  await recordStackCheck(checkId, new Date().toISOString());
  const objectUri = await exportStackCheck(checkId);
  await loadStackCheck(checkId);
  const counts = await countStackCheck(checkId);
  return { checkId, objectUri, counts };
}
