// Keeps an activity's heartbeat going while it works, so a worker killed mid-activity is noticed
// within the heartbeat timeout while slow but healthy steps are never timed out. `details`, when
// given, says how far the work has got (shown in the Temporal UI, kept across a retry).
import { heartbeat } from '@temporalio/activity';
import { HEARTBEAT_EVERY_MS } from '../contracts/heartbeats.ts';

export async function whileHeartbeating<T>(work: () => Promise<T>, details?: () => unknown): Promise<T> {
  const beat = () => heartbeat(details?.());
  beat();
  const timer = setInterval(beat, HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
