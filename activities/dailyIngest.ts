// Activities of dailyIngest. Each is idempotent: the validation step upserts the accepted rows and
// replaces the day's rejections with the current ones, exports overwrite a deterministically named
// object, loads replace the day's partition, and the run row is keyed by the workflow id.
import { ApplicationFailure } from '@temporalio/activity';
import { stagedSource, type IngestCounts, type IngestStage, type ValidationCounts } from '../contracts/ingest.ts';
import { parseSaleEvent } from '../contracts/sales.ts';
import { todayUtc } from '../domain/dates.ts';
import { validateSalesBatch } from '../domain/salesBatch.ts';
import type { SaleRow } from '../domain/sales.ts';
import { whileHeartbeating } from './heartbeat.ts';
import { saveRejections } from '../platform/rejections.ts';
import type { Deps } from './deps.ts';
import { countSalesDay, exportSales, loadSales, SALES_UPSERT_CONFLICT, salesDayObject } from '../platform/salesWarehouse.ts';

async function upsertSales(deps: Deps, rows: SaleRow[]): Promise<void> {
  if (!rows.length) return;
  await deps.pool.query(
    `INSERT INTO sales (store_id, product, date, sales, customers, open, promo, state_holiday, school_holiday)
     SELECT * FROM unnest($1::int[], $2::text[], $3::date[], $4::int[], $5::int[], $6::bool[], $7::bool[], $8::char(1)[], $9::bool[])
     ${SALES_UPSERT_CONFLICT}`,
    [rows.map((r) => r.storeId), rows.map((r) => r.product), rows.map((r) => r.date), rows.map((r) => r.sales),
      rows.map((r) => r.customers), rows.map((r) => r.open), rows.map((r) => r.promo), rows.map((r) => r.stateHoliday),
      rows.map((r) => r.schoolHoliday)]);
}

export function dailyIngestActivities(deps: Deps) {
  return {
    /** Takes the day's staged events, validates them, records rejections and upserts the rest. */
    validateAndUpsertSales: (date: string): Promise<ValidationCounts> => whileHeartbeating(async () => {
      const [{ rows: events }, { rows: stores }] = await Promise.all([
        deps.pool.query<{ event_id: number; payload: unknown }>('SELECT event_id, payload FROM sales_events WHERE sale_date = $1 ORDER BY event_id', [date]),
        deps.pool.query<{ store_id: number }>('SELECT store_id FROM stores'),
      ]);
      const batch = validateSalesBatch(events.map((e) => ({ eventId: e.event_id, payload: e.payload })),
        { knownStores: new Set(stores.map((s) => s.store_id)), latestDate: todayUtc() }, parseSaleEvent);
      await upsertSales(deps, batch.accepted);
      await saveRejections(deps.pool, stagedSource(date), batch.rejected);
      // A rejection that no longer applies (say, its store has been imported since) is dropped.
      await deps.pool.query('DELETE FROM rejected_rows WHERE source = $1 AND line <> ALL($2::bigint[])',
        [stagedSource(date), batch.rejected.map((r) => r.line)]);
      return { staged: events.length, accepted: batch.accepted.length, rejected: batch.rejected.length };
    }),

    exportSalesDay: (date: string): Promise<number> => whileHeartbeating(() => exportSales(deps, date, date, salesDayObject(date))),

    loadSalesDay: (date: string): Promise<void> => whileHeartbeating(() => loadSales(deps, date, date, [salesDayObject(date)])),

    /** Counts the day in Postgres, the GCS object and BigQuery; any mismatch fails the run for good. */
    reconcileSalesDay: (date: string, validated: ValidationCounts): Promise<Required<Pick<IngestCounts, 'postgres' | 'gcs' | 'bigquery'>>> => whileHeartbeating(async () => {
      const counts = await countSalesDay(deps, date);
      const problems: string[] = [];
      if (validated.staged !== validated.accepted + validated.rejected) {
        problems.push(`staged ${validated.staged} != accepted ${validated.accepted} + rejected ${validated.rejected}`);
      }
      if (counts.postgres !== counts.gcs || counts.postgres !== counts.bigquery) {
        problems.push(`rows for ${date}: postgres ${counts.postgres}, gcs ${counts.gcs}, bigquery ${counts.bigquery}`);
      }
      if (counts.postgres < validated.accepted) problems.push(`postgres has ${counts.postgres} rows but ${validated.accepted} were accepted`);
      if (problems.length) throw ApplicationFailure.nonRetryable(`reconciliation failed: ${problems.join('; ')}`, 'ReconciliationMismatch');
      return counts;
    }),

    recordIngestRun: (run: {
      runId: string; date: string; backfillId?: string; status: IngestStage; counts: IngestCounts; durationsMs: Record<string, number>; error?: string; warning?: string;
    }): Promise<void> => whileHeartbeating(async () => {
      const ended = run.status === 'done' || run.status === 'failed' || run.status === 'cancelled';
      await deps.pool.query(
        `INSERT INTO ingest_runs (run_id, kind, sale_date, workflow_id, status, counts, durations_ms, error, ended_at, backfill_id, warning)
         VALUES ($1, 'daily', $2, $1, $3, $4, $5, $6, CASE WHEN $7 THEN now() END, $8, $9)
         ON CONFLICT (run_id) DO UPDATE SET status = EXCLUDED.status, counts = EXCLUDED.counts, durations_ms = EXCLUDED.durations_ms,
           error = EXCLUDED.error, ended_at = EXCLUDED.ended_at, backfill_id = EXCLUDED.backfill_id, warning = EXCLUDED.warning,
           started_at = CASE WHEN EXCLUDED.status = 'starting' THEN now() ELSE ingest_runs.started_at END`,
        [run.runId, run.date, run.status, JSON.stringify(run.counts), JSON.stringify(run.durationsMs), run.error ?? null, ended,
          run.backfillId ?? null, run.warning ?? null]);
    }),
  };
}

export type DailyIngestActivities = ReturnType<typeof dailyIngestActivities>;
