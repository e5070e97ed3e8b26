// A deliberately changed stackCheck for replay.test.ts: it loads before it exports, the kind of
// reordering that breaks a running workflow, so replaying the recorded stackCheck must fail.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { StackCheckActivities } from '../../../activities/stackCheck.ts';
import type { StackCheckResult } from '../../../contracts/stackCheck.ts';

const { recordStackCheck, exportStackCheck, loadStackCheck, countStackCheck } = proxyActivities<StackCheckActivities>({ startToCloseTimeout: '1 minute' });

export async function stackCheck(): Promise<StackCheckResult> {
  const checkId = workflowInfo().workflowId;
  await recordStackCheck(checkId, new Date().toISOString());
  await loadStackCheck(checkId);
  const objectUri = await exportStackCheck(checkId);
  const counts = await countStackCheck(checkId);
  return { checkId, objectUri, counts };
}
