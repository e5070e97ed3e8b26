// Activities of dailyIngest. Each is idempotent: the validation step upserts the accepted rows and
// replaces the day's rejections with the current ones, exports overwrite a deterministically named
// object, loads replace the day's partition, and the run row is keyed by the workflow id.
import { ApplicationFailure } from '@temporalio/activity';
import { stagedSource, type IngestCounts, type ValidationCounts } from '../contracts/ingest.ts';
import { parseSaleEvent } from '../contracts/sales.ts';
import { todayUtc } from '../domain/dates.ts';
import { validateSalesBatch } from '../domain/salesBatch.ts';
import { whileHeartbeating } from './heartbeat.ts';
import { dropRejectionsExcept, saveRejections } from '../platform/rejections.ts';
import { recordIngestRun, type IngestRunState } from '../platform/runs.ts';
import { stagedSaleEvents, storeIds, upsertSales } from '../platform/sales.ts';
import type { Deps } from './deps.ts';
import { countIngested } from '../platform/metrics.ts';
import { countSalesDay, exportSales, loadSales, salesDayObject } from '../platform/salesWarehouse.ts';

export function dailyIngestActivities(deps: Deps) {
  return {
    /** Takes the day's staged events, validates them, records rejections and upserts the rest. */
    validateAndUpsertSales: (date: string): Promise<ValidationCounts> =>
      whileHeartbeating(async () => {
        const [events, stores] = await Promise.all([stagedSaleEvents(deps.pool, date), storeIds(deps.pool)]);
        const batch = validateSalesBatch(
          events,
          { knownStores: new Set(stores), latestDate: todayUtc() },
          parseSaleEvent,
        );
        // Counted as written: a retry after a crash finds its rows there and adds nothing to the counters.
        const added = await upsertSales(deps.pool, batch.accepted);
        const rejected = await saveRejections(deps.pool, stagedSource(date), batch.rejected);
        // A rejection that no longer applies (say, its store has been imported since) is dropped.
        await dropRejectionsExcept(
          deps.pool,
          stagedSource(date),
          batch.rejected.map((r) => r.line),
        );
        countIngested('daily', added, rejected);
        return { staged: events.length, accepted: batch.accepted.length, rejected: batch.rejected.length };
      }),

    exportSalesDay: (date: string): Promise<number> =>
      whileHeartbeating(() => exportSales(deps, date, date, salesDayObject(date))),

    loadSalesDay: (date: string): Promise<void> =>
      whileHeartbeating(() => loadSales(deps, date, date, [salesDayObject(date)])),

    /** Counts the day in Postgres, the GCS object and BigQuery; any mismatch fails the run for good. */
    reconcileSalesDay: (
      date: string,
      validated: ValidationCounts,
    ): Promise<Required<Pick<IngestCounts, 'postgres' | 'gcs' | 'bigquery'>>> =>
      whileHeartbeating(async () => {
        const counts = await countSalesDay(deps, date);
        const problems: string[] = [];
        if (validated.staged !== validated.accepted + validated.rejected) {
          problems.push(
            `staged ${validated.staged} != accepted ${validated.accepted} + rejected ${validated.rejected}`,
          );
        }
        if (counts.postgres !== counts.gcs || counts.postgres !== counts.bigquery) {
          problems.push(
            `rows for ${date}: postgres ${counts.postgres}, gcs ${counts.gcs}, bigquery ${counts.bigquery}`,
          );
        }
        if (counts.postgres < validated.accepted)
          problems.push(`postgres has ${counts.postgres} rows but ${validated.accepted} were accepted`);
        if (problems.length)
          throw ApplicationFailure.nonRetryable(
            `reconciliation failed: ${problems.join('; ')}`,
            'ReconciliationMismatch',
          );
        return counts;
      }),

    recordIngestRun: (run: IngestRunState): Promise<void> => whileHeartbeating(() => recordIngestRun(deps.pool, run)),
  };
}

export type DailyIngestActivities = ReturnType<typeof dailyIngestActivities>;
