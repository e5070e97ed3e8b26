import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObjectStore } from '../../platform/storage.ts';
import { Warehouse, type Schema } from '../../platform/warehouse.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

describe('warehouse adapter against bqemulator', () => {
  const cfg = testConfig();
  const store = new ObjectStore(cfg.gcs);
  const warehouse = new Warehouse(cfg.bigquery);
  const schema: Schema = [
    { name: 'id', type: 'INT64', mode: 'REQUIRED' },
    { name: 'day', type: 'DATE' },
    { name: 'amount', type: 'FLOAT64' },
  ];
  const ndjson = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

  it('loads a storage object into a table, replacing what was there, and counts the rows loaded', async () => {
    const table = uniqueId('load').replace(/-/g, '_');
    const name = `tests/${table}.ndjson`;
    await store.write(
      name,
      ndjson([
        { id: 1, day: '2026-01-01', amount: 1.5 },
        { id: 2, day: '2026-01-02', amount: 2 },
      ]),
    );
    assert.equal(await warehouse.loadReplacing(table, store.file(name), schema), 2);
    assert.equal(await warehouse.loadReplacing(table, store.file(name), schema), 2);
    const rows = await warehouse.query<{ n: number; total: number }>(
      `SELECT COUNT(*) AS n, SUM(amount) AS total FROM ${warehouse.table(table)}`,
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.n), Number(r.total)]),
      [[2, 3.5]],
    );
  });

  it('upserts by key: a rerun changes nothing, a changed row is updated', async () => {
    const table = uniqueId('upsert').replace(/-/g, '_');
    await warehouse.ensureTable(table, schema);
    const name = `tests/${table}.ndjson`;
    await store.write(
      name,
      ndjson([
        { id: 1, day: '2026-01-01', amount: 10 },
        { id: 2, day: '2026-01-01', amount: 20 },
      ]),
    );
    await warehouse.upsertFromObject(table, store.file(name), schema, ['id']);
    await warehouse.upsertFromObject(table, store.file(name), schema, ['id']);
    await store.write(
      name,
      ndjson([
        { id: 2, day: '2026-01-01', amount: 25 },
        { id: 3, day: '2026-01-02', amount: 30 },
      ]),
    );
    await warehouse.upsertFromObject(table, store.file(name), schema, ['id']);
    const rows = await warehouse.query<{ id: number; amount: number }>(
      `SELECT id, amount FROM ${warehouse.table(table)} ORDER BY id`,
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.id), Number(r.amount)]),
      [
        [1, 10],
        [2, 25],
        [3, 30],
      ],
    );
  });

  it('passes query parameters', async () => {
    const rows = await warehouse.query<{ x: number }>('SELECT @a + 1 AS x', { a: 41 });
    assert.equal(Number(rows[0]?.x), 42);
  });

  it('surfaces a failed query as an error naming the problem', async () => {
    await assert.rejects(
      warehouse.query(`SELECT nope FROM ${warehouse.table('no_such_table')}`),
      /no_such_table was not found/,
    );
    await assert.rejects(warehouse.query('SELEC 1'), /Syntax error/);
  });
});
