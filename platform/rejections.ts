// Rows that did not land, kept with where they came from and why. (source, line) is the natural
// key, so recording the same rejection again (a retry, a rerun) updates it instead of adding one.
import type pg from 'pg';
import type { Rejection } from '../domain/salesBatch.ts';

const BATCH = 5_000;

/** `db`: the pool, or a client inside the transaction that writes the rows these rejections are the rest of. Returns how many lines are newly rejected. */
export async function saveRejections(db: pg.Pool | pg.PoolClient, source: string, rows: Rejection[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    // xmax = 0 marks a line this statement inserted: a line rejected before is not new.
    const { rows: counted } = await db.query<{ inserted: number }>(
      `WITH saved AS (
         INSERT INTO rejected_rows (source, line, reason, raw)
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[])
         ON CONFLICT (source, line) DO UPDATE SET reason = EXCLUDED.reason, raw = EXCLUDED.raw, rejected_at = now()
         RETURNING (xmax = 0) AS inserted)
       SELECT count(*) FILTER (WHERE inserted)::int AS inserted FROM saved`,
      [source, batch.map((r) => r.line), batch.map((r) => r.reason), batch.map((r) => r.raw)],
    );
    added += counted[0]!.inserted;
  }
  return added;
}

/** Drops the source's rejections other than these lines: the ones that no longer apply. */
export async function dropRejectionsExcept(pool: pg.Pool, source: string, lines: number[]): Promise<void> {
  await pool.query('DELETE FROM rejected_rows WHERE source = $1 AND line <> ALL($2::bigint[])', [source, lines]);
}
