// Generated BigMart rows as tables, for the tabular sources other than a CSV: a Postgres table with
// typed columns (numbers as double precision, the year as integer) and a BigQuery table loaded from
// NDJSON in GCS. Blanks become NULL, as a warehouse holds them.
import { BIGMART_COLUMNS, BIGMART_TARGET } from '../../ml/tabular/presets/bigmart.ts';
import type { DataDeps } from '../../platform/deps.ts';
import type { BigMartRow } from '../../scripts/data/bigmartGenerator.ts';
import { uniqueId } from './stack.ts';

const FLOATS = new Set(['Item_Weight', 'Item_Visibility', 'Item_MRP', BIGMART_TARGET]);
const INTEGERS = new Set(['Outlet_Establishment_Year']);

const columnsOf = (rows: readonly BigMartRow[]) => BIGMART_COLUMNS.filter((c) => rows.some((r) => r[c] !== undefined));

function typed(rows: readonly BigMartRow[]) {
  const columns = columnsOf(rows);
  return rows.map((r) =>
    Object.fromEntries(
      columns.map((c) => {
        const v = r[c] ?? '';
        return [c, v === '' ? null : FLOATS.has(c) || INTEGERS.has(c) ? Number(v) : v];
      }),
    ),
  );
}

export async function bigmartPostgresTable(pool: DataDeps['pool'], table: string, rows: readonly BigMartRow[]) {
  const columns = columnsOf(rows);
  const type = (c: string) => (FLOATS.has(c) ? 'double precision' : INTEGERS.has(c) ? 'integer' : 'text');
  await pool.query(`CREATE TABLE "${table}" (${columns.map((c) => `"${c}" ${type(c)}`).join(', ')})`);
  await pool.query(`INSERT INTO "${table}" SELECT * FROM json_populate_recordset(NULL::"${table}", $1::json)`, [
    JSON.stringify(typed(rows)),
  ]);
}

export async function bigmartWarehouseTable(deps: DataDeps, table: string, rows: readonly BigMartRow[]) {
  const columns = columnsOf(rows);
  const object = `${uniqueId('tabular-test')}/${table}.ndjson`;
  await deps.store.write(
    object,
    typed(rows)
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n',
    'application/x-ndjson',
  );
  await deps.warehouse.loadReplacing(
    table,
    deps.store.file(object),
    columns.map((name) => ({
      name,
      type: FLOATS.has(name) ? 'FLOAT64' : INTEGERS.has(name) ? 'INT64' : 'STRING',
      mode: 'NULLABLE',
    })),
  );
}
