// Batch predictions of tabular models: Postgres's tabular_predictions keyed (model, version, dataset,
// row key) with the rejected rows in rejected_rows, and their copy in BigQuery, replaced per model,
// version and dataset. Saving a dataset's predictions makes them exactly what this scoring produced
// (rows the dataset no longer has are dropped), so a retry or a rerun writes nothing new.
import { createHash } from 'node:crypto';
import { WAREHOUSE_TABLES } from '../db/warehouse-tables.ts';
import type { DataDeps } from './deps.ts';
import { inTransaction, type Pool } from './postgres.ts';
import { saveRejections } from './rejections.ts';
import { tabularVersions, type TabularVersion } from './tabularRegistry.ts';

export interface PredictionsOf {
  model: string;
  version: number;
  dataset: string;
}

export interface ScoredRow {
  key: string;
  prediction: number;
}

export interface RejectedRow {
  /** The row's line in a CSV, or its number in a table. */
  line: number;
  reason: string;
  raw: string;
}

/** The version to score with: the given one, or production; undefined when there is none. */
export async function scoringVersion(pool: Pool, model: string, version?: number): Promise<TabularVersion | undefined> {
  const versions = await tabularVersions(pool, model);
  return versions.find((v) => (version === undefined ? v.stage === 'production' : v.version === version));
}

/**
 * Writes a dataset's predictions and its rejected rows in one transaction, as the whole of them:
 * predictions and rejections it no longer has are dropped. Returns how many predictions were new or changed.
 */
export async function saveTabularPredictions(
  pool: Pool,
  of: PredictionsOf,
  rejectionsSource: string,
  scored: readonly ScoredRow[],
  rejected: RejectedRow[],
): Promise<number> {
  return inTransaction(pool, async (client) => {
    const keys = scored.map((s) => s.key);
    const written = await client.query(
      `INSERT INTO tabular_predictions (model, model_version, dataset, row_key, prediction)
       SELECT $1, $2, $3, * FROM unnest($4::text[], $5::float8[])
       ON CONFLICT (model, model_version, dataset, row_key) DO UPDATE SET prediction = EXCLUDED.prediction, created_at = now()
         WHERE tabular_predictions.prediction IS DISTINCT FROM EXCLUDED.prediction`,
      [of.model, of.version, of.dataset, keys, scored.map((s) => s.prediction)],
    );
    await client.query(
      `DELETE FROM tabular_predictions WHERE model = $1 AND model_version = $2 AND dataset = $3 AND row_key <> ALL($4::text[])`,
      [of.model, of.version, of.dataset, keys],
    );
    await saveRejections(client, rejectionsSource, rejected);
    await client.query('DELETE FROM rejected_rows WHERE source = $1 AND line <> ALL($2::bigint[])', [
      rejectionsSource,
      rejected.map((r) => r.line),
    ]);
    return written.rowCount ?? 0;
  });
}

/** Where a dataset's predictions go on their way to BigQuery (the dataset hashed: a URI is no object name). */
export const predictionsObject = (of: PredictionsOf): string =>
  `tabular-scoring/${of.model}/${of.version}/${createHash('sha256').update(of.dataset).digest('hex').slice(0, 16)}/predictions.ndjson`;

/** Copies a dataset's predictions from Postgres into BigQuery's tabular_predictions, replacing its rows there. */
export async function exportTabularPredictions(deps: DataDeps, of: PredictionsOf): Promise<void> {
  const { rows } = await deps.pool.query<{ row_key: string; prediction: number }>(
    `SELECT row_key, prediction FROM tabular_predictions WHERE model = $1 AND model_version = $2 AND dataset = $3 ORDER BY row_key`,
    [of.model, of.version, of.dataset],
  );
  const object = predictionsObject(of);
  const lines = rows.map((r) =>
    JSON.stringify({ model: of.model, model_version: of.version, dataset: of.dataset, ...r }),
  );
  if (lines.length) await deps.store.write(object, lines.join('\n') + '\n', 'application/x-ndjson');
  await deps.warehouse.replaceRowsWhere(
    'tabular_predictions',
    lines.length ? [deps.store.file(object)] : [],
    WAREHOUSE_TABLES.tabular_predictions.schema,
    { model: of.model, model_version: of.version, dataset: of.dataset },
  );
}

/** How many predictions and rejections of a dataset Postgres holds, and how many predictions BigQuery does. */
export async function predictionCounts(
  deps: DataDeps,
  of: PredictionsOf,
  rejectionsSource: string,
): Promise<{ postgres: number; rejected: number; warehouse: number }> {
  const {
    rows: [held],
  } = await deps.pool.query<{ postgres: number; rejected: number }>(
    `SELECT (SELECT count(*) FROM tabular_predictions WHERE model = $1 AND model_version = $2 AND dataset = $3)::int AS postgres,
            (SELECT count(*) FROM rejected_rows WHERE source = $4)::int AS rejected`,
    [of.model, of.version, of.dataset, rejectionsSource],
  );
  const [warehouse] = await deps.warehouse.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM ${deps.warehouse.table('tabular_predictions')}
     WHERE model = @model AND model_version = @version AND dataset = @dataset`,
    { model: of.model, version: of.version, dataset: of.dataset },
  );
  return { postgres: held!.postgres, rejected: held!.rejected, warehouse: Number(warehouse?.n ?? 0) };
}

export interface StoredPrediction {
  version: number;
  key: string;
  prediction: number;
  createdAt: Date;
}

/** A page of a dataset's predictions (of one version, or of all), ordered by version and key, after a cursor. */
export async function storedPredictions(
  pool: Pool,
  q: { model: string; dataset: string; version?: number; limit: number; after?: { version: number; key: string } },
): Promise<StoredPrediction[]> {
  const { rows } = await pool.query<StoredPrediction>(
    `SELECT model_version AS version, row_key AS key, prediction, created_at AS "createdAt" FROM tabular_predictions
     WHERE model = $1 AND dataset = $2 AND ($3::int IS NULL OR model_version = $3)
       AND ($4::int IS NULL OR (model_version, row_key) > ($4, $5::text))
     ORDER BY model_version, row_key LIMIT $6`,
    [q.model, q.dataset, q.version ?? null, q.after?.version ?? null, q.after?.key ?? null, q.limit],
  );
  return rows;
}
