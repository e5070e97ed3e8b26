// Activities that keep run rows true: a backfill's own row, and the reconciler that settles runs
// whose workflow closed without recording their end. Both are idempotent.
import { Context } from '@temporalio/activity';
import type { BackfillProgress, BackfillStatus } from '../contracts/ingest.ts';
import type { ReconcileReport, SettledRun } from '../contracts/runs.ts';
import { openRuns, recordBackfillRun, settleRun } from '../platform/runs.ts';
import type { Deps } from './deps.ts';

/** Runs looked at per pass; more wait for the next pass. */
const RUNS_PER_PASS = 500;

export function runActivities({ pool }: Deps) {
  return {
    recordBackfillRun: (run: {
      backfillId: string;
      status: BackfillStatus;
      progress: BackfillProgress;
      error?: string;
    }): Promise<void> => recordBackfillRun(pool, run),

    /** Asks Temporal about every run without an end, and records the real end of those whose workflow has closed or is gone. */
    settleClosedRuns: async (): Promise<ReconcileReport> => {
      const { client } = Context.current();
      const open = await openRuns(pool, RUNS_PER_PASS);
      const settled: SettledRun[] = [];
      for (const run of open) {
        Context.current().heartbeat();
        const end = await settleRun(pool, client, run);
        if (end) settled.push(end);
      }
      return { checked: open.length, settled };
    },
  };
}

export type RunActivities = ReturnType<typeof runActivities>;
