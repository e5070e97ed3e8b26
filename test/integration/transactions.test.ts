// Online Retail files into Postgres on the real stack: each line once by (source, line), the
// file's exact duplicates kept, bad lines in rejected_rows with their reasons, and a rerun (with
// other batch sizes too) writes nothing. Sources are files in a fresh temp dir: no other test has them.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPool, type Pool } from '../../platform/postgres.ts';
import { importTransactions, localSource } from '../../platform/transactionImport.ts';
import { testConfig } from '../helpers/stack.ts';

const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
const LINES = [
  '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom',
  '536370,22728,"ALARM CLOCK BAKELIKE PINK, SET OF 2",24,12/1/2010 8:45,3.75,12583,France',
  '536370,22728,"ALARM CLOCK BAKELIKE PINK, SET OF 2",24,12/1/2010 8:45,3.75,12583,France',
  'C536379,D,Discount,-1,12/1/2010 9:41,27.5,14527,United Kingdom',
  '536414,22139,,56,12/1/2010 11:52,0,,United Kingdom',
  '536415,22140,"TAB\tAND \\ BACKSLASH",1,12/1/2010 11:53,0.001,,United Kingdom',
  '536416,22141,SIX,six,12/1/2010 11:54,1,17850,United Kingdom',
  '536417,22142,TOO FEW,1',
];

describe('Online Retail transactions in Postgres', () => {
  let pool: Pool;
  let dir: string;
  before(async () => {
    pool = createPool(testConfig().postgres, 'retailflow-test');
    dir = await mkdtemp(path.join(os.tmpdir(), 'rf-transactions-'));
  });
  after(() => pool.end());

  const rowsOf = async (source: string) =>
    (
      await pool.query<{
        line: number;
        invoice_no: string;
        description: string | null;
        unit_price: string;
        customer_id: number | null;
      }>(
        'SELECT line, invoice_no, description, unit_price::text, customer_id FROM transactions WHERE source = $1 ORDER BY line',
        [source],
      )
    ).rows;
  const rejectionsOf = async (source: string) =>
    (
      await pool.query<{ line: string; reason: string }>(
        'SELECT line::text, reason FROM rejected_rows WHERE source = $1 ORDER BY line',
        [source],
      )
    ).rows;

  it('loads each line once, keeps exact duplicates, rejects what cannot be read, and a rerun writes nothing', async () => {
    const file = path.join(dir, 'online_retail.csv');
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from(`${HEADER}\r\n${LINES.join('\r\n')}\r\n`),
        Buffer.from('536418,22143,"CAF'),
        Buffer.from([0xc9]),
        Buffer.from('",1,12/1/2010 11:55,1.5,17850,United Kingdom\r\n'),
      ]),
    );
    const first = await importTransactions(pool, file, 3);
    assert.deepEqual(first, { files: 1, read: 9, loaded: 7, written: 7, rejected: 2 });
    const source = localSource(file);
    const rows = await rowsOf(source);
    assert.deepEqual(
      rows.map((r) => r.line),
      [2, 3, 4, 5, 6, 7, 10],
    );
    assert.deepEqual(rows[1], { ...rows[2], line: 3 });
    assert.equal(rows[1].description, 'ALARM CLOCK BAKELIKE PINK, SET OF 2');
    assert.equal(rows[4]!.customer_id, null);
    assert.equal(rows[4]!.description, null);
    assert.equal(rows[4]!.unit_price, '0');
    assert.equal(rows[5]!.description, 'TAB\tAND \\ BACKSLASH');
    assert.equal(rows[5]!.unit_price, '0.001');
    assert.equal(rows[6]!.description, 'CAFÉ');
    assert.deepEqual(await rejectionsOf(source), [
      { line: '8', reason: 'Quantity: "six" is not a whole number' },
      { line: '9', reason: 'wrong number of fields: 4, the header has 8' },
    ]);

    for (const batch of [3, 2, 50_000])
      assert.deepEqual(await importTransactions(pool, file, batch), {
        files: 1,
        read: 9,
        loaded: 7,
        written: 0,
        rejected: 2,
      });
    assert.equal((await rowsOf(source)).length, 7);
    assert.equal((await rejectionsOf(source)).length, 2);
  });

  it('a folder of daily files: each file its own source, a rerun writes nothing', async () => {
    const daily = path.join(dir, 'by-day');
    await mkdir(daily);
    await writeFile(
      path.join(daily, '2010-12-01.csv'),
      `${HEADER}\n536365,85123A,X,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n536366,22633,Y,6,2010-12-01 08:28:00,1.85,,United Kingdom\n`,
    );
    await writeFile(
      path.join(daily, '2010-12-02.csv'),
      `${HEADER}\n536367,84879,Z,32,2010-12-02 08:34:00,1.69,13047.0,United Kingdom\n`,
    );
    assert.deepEqual(await importTransactions(pool, daily), { files: 2, read: 3, loaded: 3, written: 3, rejected: 0 });
    assert.deepEqual(
      (await rowsOf(localSource(path.join(daily, '2010-12-01.csv')))).map((r) => [r.line, r.customer_id]),
      [
        [2, 17850],
        [3, null],
      ],
    );
    assert.deepEqual(await importTransactions(pool, path.join(daily, '*.csv')), {
      files: 2,
      read: 3,
      loaded: 3,
      written: 0,
      rejected: 0,
    });
  });
});
