// Online Retail transactions in Postgres, keyed by the file line they came from (see migration
// 008): a batch and its rejections commit in one transaction, and writing a batch again (a retry,
// a rerun of the file) changes nothing, so an activity retried after a kill -9 loads nothing twice.
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { RetailTransaction } from '../domain/onlineRetail.ts';
import type { Rejection } from '../domain/salesBatch.ts';
import { copyField, inTransaction, type Pool } from './postgres.ts';
import { saveRejections } from './rejections.ts';

export interface SourcedTransaction {
  source: string;
  line: number;
  transaction: RetailTransaction;
}

const COLUMNS =
  'source, line, invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, country';
const VALUES = COLUMNS.split(', ').slice(2);
const tsv = ({ source, line, transaction: t }: SourcedTransaction) =>
  `${copyField(source)}\t${line}\t${copyField(t.invoiceNo)}\t${copyField(t.stockCode)}\t${copyField(t.description)}\t${t.quantity}\t${t.invoiceDate}\t${t.unitPrice}\t${t.customerId ?? '\\N'}\t${copyField(t.country)}\n`;

// COPY takes a few large writes far faster than one write per row.
function* tsvChunks(rows: SourcedTransaction[], size = 1000): Generator<string> {
  for (let i = 0; i < rows.length; i += size)
    yield rows
      .slice(i, i + size)
      .map(tsv)
      .join('');
}

/** Lines of a source that a batch holds all of: from `from` to `to` (to the end of the file when absent). */
export interface SourceLines {
  source: string;
  from: number;
  to?: number;
}

const range = (l: SourceLines) => [l.source, l.from, l.to ?? 2147483647];

/**
 * Writes transactions and rejections (by source) in one database transaction; returns how many
 * transactions were added or changed (0 when the same batch was written before). With `lines`,
 * the batch is the whole of those lines: the source's rows and rejections of other lines there
 * are dropped (a line now rejected or blank, or past the end of a file that got shorter), so the
 * source holds what its file holds now.
 */
export async function saveTransactionBatch(
  pool: Pool,
  rows: SourcedTransaction[],
  rejections: Map<string, Rejection[]>,
  lines?: SourceLines,
): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query(`CREATE TEMP TABLE transactions_stage (LIKE transactions INCLUDING DEFAULTS) ON COMMIT DROP`);
    await pipeline(
      Readable.from(tsvChunks(rows)),
      client.query(copyFrom(`COPY transactions_stage (${COLUMNS}) FROM STDIN`)),
    );
    // Before the upsert: on a first import the range is empty, so this costs nothing. EXCEPT rather
    // than NOT EXISTS against the stage table, which has no index or statistics for a planner to use.
    if (lines)
      await client.query(
        `DELETE FROM transactions t USING (
           SELECT line FROM transactions WHERE source = $1 AND line BETWEEN $2 AND $3
           EXCEPT SELECT line FROM transactions_stage WHERE source = $1) gone
         WHERE t.source = $1 AND t.line = gone.line`,
        range(lines),
      );
    const written = await client.query(
      `INSERT INTO transactions (${COLUMNS}) SELECT ${COLUMNS} FROM transactions_stage
       ON CONFLICT (source, line) DO UPDATE SET ${VALUES.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, loaded_at = now()
       WHERE (${VALUES.map((c) => `transactions.${c}`).join(', ')}) IS DISTINCT FROM (${VALUES.map((c) => `EXCLUDED.${c}`).join(', ')})`,
    );
    for (const [source, rejected] of rejections) await saveRejections(client, source, rejected);
    if (lines) {
      await client.query(
        'DELETE FROM rejected_rows WHERE source = $1 AND line BETWEEN $2 AND $3 AND line <> ALL($4::bigint[])',
        [...range(lines), (rejections.get(lines.source) ?? []).map((r) => r.line)],
      );
    }
    return written.rowCount ?? 0;
  });
}

/** Rows and rejections each source holds now, for reconciling an import's counts. */
export async function countBySource(
  pool: Pool,
  sources: string[],
): Promise<Map<string, { transactions: number; rejected: number }>> {
  const { rows } = await pool.query<{ source: string; transactions: number; rejected: number }>(
    `SELECT s.source,
       (SELECT count(*)::int FROM transactions t WHERE t.source = s.source) AS transactions,
       (SELECT count(*)::int FROM rejected_rows r WHERE r.source = s.source) AS rejected
     FROM unnest($1::text[]) AS s(source)`,
    [sources],
  );
  return new Map(rows.map((r) => [r.source, { transactions: r.transactions, rejected: r.rejected }]));
}

/** Whether any Online Retail transaction is stored. */
export async function hasTransactions(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM transactions) AS any');
  return rows[0]!.any;
}
