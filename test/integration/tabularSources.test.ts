// The tabular sources on the real stack: the same generated BigMart rows as a CSV object in GCS, a
// Postgres table and a BigQuery table read by sourceRows give the same typed rows and the same rows
// after the spec's filters; a missing table and a bad name fail naming the table.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BIGMART_SPEC } from '../../ml/tabular/presets/bigmart.ts';
import { filterRows } from '../../ml/tabular/rows.ts';
import { readRow, type RawRow, type TypedRow } from '../../ml/tabular/values.ts';
import type { DataDeps } from '../../platform/deps.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { sourceRows, type SourceRows } from '../../platform/tabularData.ts';
import { Warehouse } from '../../platform/warehouse.ts';
import { BIGMART_TRAIN_HEADER, bigmartCsv, generateBigMart } from '../../scripts/data/bigmartGenerator.ts';
import { bigmartPostgresTable, bigmartWarehouseTable } from '../helpers/bigmartTables.ts';
import { isolatedSchema, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

/** The spec's typed rows and targets, sorted by the row key: sources order their rows differently. */
function typedRows({ rows }: SourceRows): TypedRow[] {
  const key = (r: TypedRow) => `${r.Item_Identifier}/${r.Outlet_Identifier}`;
  return rows
    .map((raw: RawRow) => ({ ...readRow(BIGMART_SPEC, raw), target: Number(raw.Item_Outlet_Sales) }))
    .sort((a, b) => key(a).localeCompare(key(b)));
}

describe('tabular sources: CSV, Postgres and BigQuery give the same rows', () => {
  let isolated: IsolatedSchema;
  let deps: DataDeps;
  const { train } = generateBigMart({ seed: 11, rows: 300 });
  const table = uniqueId('bigmart_src').replace(/-/g, '_');
  let uri: string;

  before(async () => {
    isolated = await isolatedSchema(testConfig(), 'tabsrc');
    deps = {
      pool: isolated.pool,
      store: new ObjectStore(testConfig().gcs),
      warehouse: new Warehouse(testConfig().bigquery),
    };
    uri = await deps.store.write(
      `${uniqueId('uploads/bigmart')}/Train.csv`,
      bigmartCsv(BIGMART_TRAIN_HEADER, train),
      'text/csv',
    );
    await bigmartPostgresTable(deps.pool, table, train);
    await bigmartWarehouseTable(deps, table, train);
  });
  after(async () => {
    await deps?.warehouse.client.dataset(deps.warehouse.datasetId).table(table).delete({ ignoreNotFound: true });
    await isolated?.drop();
  });

  it('reads a CSV with each record line', async () => {
    const csv = await sourceRows(deps, { kind: 'csv', uri });
    assert.equal(csv.rows.length, train.length);
    assert.equal(csv.place, 'line');
    assert.deepEqual(csv.places.slice(0, 3), [2, 3, 4]);
    assert.equal(csv.rows[0]!.Item_Identifier, train[0]!.Item_Identifier);
  });

  it('reads a Postgres table and a BigQuery table as the CSV: same typed rows, same rows kept by the filters', async () => {
    const csv = await sourceRows(deps, { kind: 'csv', uri });
    const expected = typedRows(csv);
    const kept = filterRows(BIGMART_SPEC, csv.rows).rows.length;
    // blanks are there to be read alike
    assert.ok(csv.rows.some((r) => r.Item_Weight === '') && csv.rows.some((r) => r.Outlet_Size === ''));
    for (const source of [
      { kind: 'postgres', table },
      { kind: 'bigquery', table },
    ] as const) {
      const read = await sourceRows(deps, source);
      assert.equal(read.place, 'row', source.kind);
      assert.deepEqual(
        read.places,
        read.rows.map((_, i) => i + 1),
        source.kind,
      );
      assert.deepEqual(typedRows(read), expected, source.kind);
      assert.equal(filterRows(BIGMART_SPEC, read.rows).rows.length, kept, source.kind);
      // the same order every time
      assert.deepEqual((await sourceRows(deps, source)).rows, read.rows, source.kind);
    }
  });

  it('a missing table fails naming it', async () => {
    await assert.rejects(sourceRows(deps, { kind: 'postgres', table: 'no_such_bigmart' }), {
      message: 'source.table: Postgres has no table no_such_bigmart',
    });
    await assert.rejects(sourceRows(deps, { kind: 'bigquery', table: 'no_such_bigmart' }), {
      message: /^source\.table: BigQuery has no table no_such_bigmart in /,
    });
  });

  it('a name that is not a plain identifier fails naming it, before any query', async () => {
    await assert.rejects(sourceRows(deps, { kind: 'postgres', table: 'sales; DROP TABLE sales' }), {
      message: /^source\.table: must be a table name .*got "sales; DROP TABLE sales"/,
    });
    await assert.rejects(sourceRows(deps, { kind: 'bigquery', table: 'a.b' }), {
      message: /^source\.table: must be a table name .*got "a\.b"/,
    });
  });
});
