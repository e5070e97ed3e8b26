// A tabular run's data: the source's rows (a CSV object in GCS, a Postgres table or a BigQuery
// table), and the run's row sets (the source's rows as read, those kept by the spec's filters, the
// training and test parts)
// as JSON under tabular/<runId>/ in GCS. Names are fixed per run, so a retried step overwrites what
// it wrote. Every source gives its values as a CSV would, strings with '' for a blank, so the
// dataset spec reads them all alike.
import { parse } from 'csv-parse/sync';
import { invalidInput } from '../contracts/failures.ts';
import type { TabularSource } from '../contracts/tabular.ts';
import type { RawRow } from '../ml/tabular/values.ts';
import type { DataDeps } from './deps.ts';
import type { ObjectStore } from './storage.ts';

/** The source's rows as read, the rows kept by the spec's filters, and the split's two parts. */
export type TabularRowSet = 'source' | 'rows' | 'train' | 'test';

export const tabularObject = (runId: string, name: TabularRowSet | 'model') => `tabular/${runId}/${name}.json`;

/** The object name of a gs:// URI in the store's bucket, or the name itself. */
function objectName(store: ObjectStore, uri: string): string {
  if (!uri.startsWith('gs://')) return uri;
  const prefix = `gs://${store.bucketName}/`;
  if (!uri.startsWith(prefix)) throw invalidInput('source.uri', `${uri} is not in the bucket ${store.bucketName}`);
  return uri.slice(prefix.length);
}

/** Every record of a CSV object, by its header's column names, values as strings. */
export async function csvRows(store: ObjectStore, uri: string): Promise<RawRow[]> {
  return (await csvSourceRows(store, uri)).rows;
}

/** A source's rows and where each is in it: its line in a CSV file, its row number (from 1) in a table. */
export interface SourceRows {
  rows: RawRow[];
  places: number[];
  place: 'line' | 'row';
}

async function csvSourceRows(store: ObjectStore, uri: string): Promise<SourceRows> {
  const name = objectName(store, uri);
  if (!(await store.exists(name))) throw invalidInput('source.uri', `${store.uri(name)} does not exist`);
  const records = parse<{ record: RawRow; info: { lines: number } }>(await store.read(name), {
    columns: true,
    skip_empty_lines: true,
    bom: true,
    info: true,
  });
  return { rows: records.map((r) => r.record), places: records.map((r) => r.info.lines), place: 'line' };
}

// Names are inlined into SQL, so only plain identifiers pass: a Postgres table, optionally schema-qualified,
// or a table of the warehouse's dataset.
const POSTGRES_TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;
const BIGQUERY_TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,1023}$/;

const asText = (v: string | null | undefined): string => v ?? '';

/**
 * Every row of a Postgres table, each value as Postgres writes it as text (a float's shortest exact
 * digits, a numeric as stored), NULL as ''. Ordered by the whole row's text, so a table gives its rows
 * in the same order every time.
 */
async function postgresSourceRows(pool: DataDeps['pool'], table: string): Promise<SourceRows> {
  if (!POSTGRES_TABLE.test(table))
    throw invalidInput(
      'source.table',
      `must be a table name (letters, digits, _; schema.table), got ${JSON.stringify(table)}`,
    );
  const quoted = table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
  const {
    rows: [found],
  } = await pool.query<{ oid: string | null }>('SELECT to_regclass($1)::text AS oid', [quoted]);
  if (!found?.oid) throw invalidInput('source.table', `Postgres has no table ${table}`);
  const { rows } = await pool.query<Record<string, string | null>>({
    text: `SELECT t.* FROM ${quoted} AS t ORDER BY t::text`,
    types: { getTypeParser: () => (v: string) => v },
  });
  return {
    rows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, asText(v)]))),
    places: rows.map((_, i) => i + 1),
    place: 'row',
  };
}

/** Every row of a table of the warehouse's dataset, each value cast to STRING there, NULL as ''; ordered by all columns. */
async function bigquerySourceRows(warehouse: DataDeps['warehouse'], table: string): Promise<SourceRows> {
  if (!BIGQUERY_TABLE.test(table))
    throw invalidInput('source.table', `must be a table name (letters, digits, _), got ${JSON.stringify(table)}`);
  const columns = await warehouse.columnsOf(table);
  if (!columns)
    throw invalidInput(
      'source.table',
      `BigQuery has no table ${table} in ${warehouse.projectId}.${warehouse.datasetId}`,
    );
  const rows = await warehouse.query<Record<string, string | null>>(
    `SELECT ${columns.map((c) => `CAST(\`${c}\` AS STRING) AS \`${c}\``).join(', ')} FROM ${warehouse.table(table)}
     ORDER BY ${columns.map((_, i) => i + 1).join(', ')}`,
  );
  return {
    rows: rows.map((r) => Object.fromEntries(columns.map((c) => [c, asText(r[c])]))),
    places: rows.map((_, i) => i + 1),
    place: 'row',
  };
}

/** The rows of a run's source, values as strings as a CSV gives them. */
export function sourceRows(deps: DataDeps, source: TabularSource): Promise<SourceRows> {
  if (source.kind === 'csv') return csvSourceRows(deps.store, source.uri);
  if (source.kind === 'postgres') return postgresSourceRows(deps.pool, source.table);
  if (source.kind === 'bigquery') return bigquerySourceRows(deps.warehouse, source.table);
  throw invalidInput(
    'source.kind',
    `must be csv, postgres or bigquery, got ${JSON.stringify((source as { kind: unknown }).kind)}`,
  );
}

export async function writeRowSet(store: ObjectStore, runId: string, set: TabularRowSet, rows: readonly RawRow[]) {
  await store.write(tabularObject(runId, set), JSON.stringify(rows), 'application/json');
}

export async function readRowSet(store: ObjectStore, runId: string, set: TabularRowSet): Promise<RawRow[]> {
  return JSON.parse((await store.read(tabularObject(runId, set))).toString('utf8')) as RawRow[];
}
