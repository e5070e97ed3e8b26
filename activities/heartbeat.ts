// Keeps an activity's heartbeat going while it works, so a worker killed mid-activity is noticed
// within the heartbeat timeout while slow but healthy steps are never timed out.
import { heartbeat } from '@temporalio/activity';

const EVERY_MS = 5_000;

export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  heartbeat();
  const timer = setInterval(() => heartbeat(), EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
