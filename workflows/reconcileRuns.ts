// reconcileRuns: started by a schedule every few minutes. Settles run rows whose workflow closed
// without recording their end (terminated, timed out, failed or cancelled before its last
// activity) or no longer exists, so no run shows as running forever.
import { proxyActivities } from '@temporalio/workflow';
import type { RunActivities } from '../activities/runs.ts';
import type { ReconcileReport } from '../contracts/runs.ts';
import { tagRun } from './runTags.ts';

const acts = proxyActivities<RunActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export async function reconcileRuns(): Promise<ReconcileReport> {
  tagRun({ pipeline: 'reconcile' });
  return acts.settleClosedRuns();
}
