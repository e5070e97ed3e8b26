// Activities of powerUserTraining: the run's events snapshotted Postgres -> GCS -> BigQuery and the
// labelled feature table built there (platform/powerUserWarehouse.ts). Both replace the run's
// objects and tables, so a retry after a kill writes nothing twice.
import { invalidInput } from '../contracts/failures.ts';
import { POWER_USER_SOURCES, type PowerUserFeatures, type PowerUserTrainingInput } from '../contracts/powerUsers.ts';
import { buildPowerUserFeatures, checkLabeling, snapshotPowerUserEvents } from '../platform/powerUserWarehouse.ts';
import type { Deps } from './deps.ts';
import { whileHeartbeating } from './heartbeat.ts';

export function powerUserActivities(deps: Deps) {
  return {
    /** The source's events into the run's BigQuery table, then one labelled row per user; the counts and the table. */
    buildPowerUserTable: (runId: string, input: PowerUserTrainingInput): Promise<PowerUserFeatures> =>
      whileHeartbeating(async () => {
        if (!(POWER_USER_SOURCES as readonly string[]).includes(input.events))
          throw invalidInput(
            'events',
            `must be ${POWER_USER_SOURCES.join(' or ')}, got ${JSON.stringify(input.events)}`,
          );
        checkLabeling(input.labeling);
        const events = await snapshotPowerUserEvents(deps, runId, input.events);
        const built = await buildPowerUserFeatures(deps, runId, input.labeling);
        if (built.powerUsers === 0 || built.powerUsers === built.users)
          throw invalidInput(
            'labeling',
            `${built.powerUsers} of ${built.users} users spent more than $${input.labeling.threshold} in the ${input.labeling.windowDays} days from ${input.labeling.cutoff}: a classifier needs both classes`,
          );
        return { events, ...built };
      }),
  };
}

export type PowerUserActivities = ReturnType<typeof powerUserActivities>;
