// Online Retail transactions in Postgres, keyed by the file line they came from (see migration
// 008): a batch and its rejections commit in one transaction, and writing a batch again (a retry,
// a rerun of the file) changes nothing, so an activity retried after a kill -9 loads nothing twice.
import path from 'node:path';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseRetailRecord, type RetailTransaction } from '../domain/onlineRetail.ts';
import type { Rejection } from '../domain/salesBatch.ts';
import type { Pool } from './postgres.ts';
import { readRetailSource, retailFiles } from './onlineRetailCsv.ts';
import { saveRejections } from './rejections.ts';

export interface SourcedTransaction {
  source: string;
  line: number;
  transaction: RetailTransaction;
}

const COLUMNS =
  'source, line, invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, country';
const VALUES = COLUMNS.split(', ').slice(2);
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const text = (s: string | null) => (s === null ? '\\N' : s.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!));
const tsv = ({ source, line, transaction: t }: SourcedTransaction) =>
  `${text(source)}\t${line}\t${text(t.invoiceNo)}\t${text(t.stockCode)}\t${text(t.description)}\t${t.quantity}\t${t.invoiceDate}\t${t.unitPrice}\t${t.customerId ?? '\\N'}\t${text(t.country)}\n`;

// COPY takes a few large writes far faster than one write per row.
function* tsvChunks(rows: SourcedTransaction[], size = 1000): Generator<string> {
  for (let i = 0; i < rows.length; i += size)
    yield rows
      .slice(i, i + size)
      .map(tsv)
      .join('');
}

/**
 * Writes transactions and rejections (by source) in one database transaction; returns how many
 * transactions were added or changed (0 when the same batch was written before).
 */
export async function saveTransactionBatch(
  pool: Pool,
  rows: SourcedTransaction[],
  rejections: Map<string, Rejection[]>,
): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`CREATE TEMP TABLE transactions_stage (LIKE transactions INCLUDING DEFAULTS) ON COMMIT DROP`);
    await pipeline(
      Readable.from(tsvChunks(rows)),
      client.query(copyFrom(`COPY transactions_stage (${COLUMNS}) FROM STDIN`)),
    );
    const written = await client.query(
      `INSERT INTO transactions (${COLUMNS}) SELECT ${COLUMNS} FROM transactions_stage
       ON CONFLICT (source, line) DO UPDATE SET ${VALUES.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, loaded_at = now()
       WHERE (${VALUES.map((c) => `transactions.${c}`).join(', ')}) IS DISTINCT FROM (${VALUES.map((c) => `EXCLUDED.${c}`).join(', ')})`,
    );
    for (const [source, rejected] of rejections) await saveRejections(client, source, rejected);
    await client.query('COMMIT');
    return written.rowCount ?? 0;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export interface TransactionsImportSummary {
  files: number;
  read: number;
  /** Added or changed: 0 on a rerun of the same files. */
  written: number;
  rejected: number;
}

/** Each local file's rows and rejections are kept under import:<absolute path>. */
export const localSource = (file: string): string => `import:${path.resolve(file)}`;

/** A local file, folder or glob of Online Retail files into `transactions`, `batch` lines at a time. */
export async function importTransactions(
  pool: Pool,
  source: string,
  batch = 50_000,
): Promise<TransactionsImportSummary> {
  const summary = { files: (await retailFiles(source)).length, read: 0, written: 0, rejected: 0 };
  let rows: SourcedTransaction[] = [];
  let rejections = new Map<string, Rejection[]>();
  const flush = async () => {
    summary.written += await saveTransactionBatch(pool, rows, rejections);
    rows = [];
    rejections = new Map();
  };
  for await (const l of readRetailSource(source)) {
    summary.read++;
    const from = localSource(l.file);
    const parsed = 'record' in l ? parseRetailRecord(l.record) : { ok: false as const, reason: l.problem };
    if (parsed.ok) rows.push({ source: from, line: l.line, transaction: parsed.value });
    else {
      summary.rejected++;
      const list = rejections.get(from) ?? [];
      rejections.set(from, list);
      list.push({ line: l.line, reason: parsed.reason, raw: l.raw });
    }
    if (summary.read % batch === 0) await flush();
  }
  await flush();
  return summary;
}
