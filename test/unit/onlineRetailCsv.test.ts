import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseRetailRecord } from '../../domain/onlineRetail.ts';
import { readRetailSource, retailFiles, type RetailCsvLine } from '../../platform/onlineRetailCsv.ts';

const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
const tmp = () => mkdtemp(path.join(os.tmpdir(), 'retail-csv-'));
const collect = async (source: string) => {
  const out: RetailCsvLine[] = [];
  for await (const l of readRetailSource(source)) out.push(l);
  return out;
};
const records = (lines: RetailCsvLine[]) => lines.filter((l) => 'record' in l).map((l) => l.record);

describe('Online Retail CSV files', () => {
  it('reads a UCI export: quoted commas, CRLF, a BOM, Windows-1252 and UTF-8 bytes, each line with its number', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'Online Retail.csv');
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(`${HEADER}\r\n`),
      Buffer.from('536370,22728,"ALARM CLOCK BAKELIKE PINK, SET OF 2",24,12/1/2010 8:45,3.75,12583,France\r\n'),
      // Windows-1252: é is 0xE9, € is 0x80.
      Buffer.from('536371,22001,"CAF'),
      Buffer.from([0xc9, 0x20, 0x80]),
      Buffer.from(' MUG",2,12/1/2010 9:00,1.25,,United Kingdom\r\n'),
      Buffer.from('536372,22002,"CAFÉ € MUG",2,12/1/2010 9:01,1.25,,United Kingdom\r\n', 'utf8'),
      Buffer.from('536373,22003,TOO,FEW\r\n'),
      Buffer.from('\r\n'),
      Buffer.from('C536379,D,Discount,-1,12/1/2010 9:41,27.5,14527,United Kingdom\r\n'),
    ]);
    await writeFile(file, bytes);
    const lines = await collect(file);
    assert.deepEqual(
      lines.map((l) => [path.basename(l.file), l.line, 'record' in l ? l.record.InvoiceNo : l.problem]),
      [
        ['Online Retail.csv', 2, '536370'],
        ['Online Retail.csv', 3, '536371'],
        ['Online Retail.csv', 4, '536372'],
        ['Online Retail.csv', 5, 'wrong number of fields: 4, the header has 8'],
        ['Online Retail.csv', 7, 'C536379'],
      ],
    );
    const rs = records(lines);
    assert.equal(rs[0]!.Description, 'ALARM CLOCK BAKELIKE PINK, SET OF 2');
    assert.equal(rs[1]!.Description, 'CAFÉ € MUG');
    assert.equal(rs[2]!.Description, 'CAFÉ € MUG');
    assert.equal(lines[3]!.raw, '536373,22003,TOO,FEW');
    for (const r of rs) assert.ok(parseRetailRecord(r).ok, JSON.stringify(r));
  });

  it('reports a line csv-parse cannot read and goes on', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'bad.csv');
    await writeFile(
      file,
      `${HEADER}\n536365,85123A,"BAD "QUOTE",6,12/1/2010 8:26,2.55,17850,United Kingdom\n536366,22633,HAND WARMER,6,12/1/2010 8:28,1.85,17850,United Kingdom\n`,
    );
    const lines = await collect(file);
    assert.equal(lines.length, 2);
    assert.ok(
      'problem' in lines[0]! && lines[0].line === 2 && /quote/i.test(lines[0].problem),
      JSON.stringify(lines[0]),
    );
    assert.ok('record' in lines[1]! && lines[1].line === 3 && lines[1].record.InvoiceNo === '536366');
  });

  it('reads a folder of daily files and a glob of them in date order, naming each file', async () => {
    const dir = await tmp();
    const daily = path.join(dir, 'by-day');
    await mkdir(daily);
    const day = (d: string, n: number) =>
      `${HEADER}\n` +
      Array.from(
        { length: n },
        (_, i) => `5${d.replaceAll('-', '')}${i},85123A,X,1,${d} 08:26:00,2.55,17850.0,EIRE`,
      ).join('\n') +
      '\n';
    await writeFile(path.join(daily, '2010-12-02.csv'), day('2010-12-02', 2));
    await writeFile(path.join(daily, '2010-12-01.csv'), day('2010-12-01', 3));
    await writeFile(path.join(daily, '2011-01-04.csv'), day('2011-01-04', 1));
    await writeFile(path.join(daily, 'README.txt'), 'not data');
    const all = await collect(daily);
    assert.deepEqual(
      all.map((l) => [path.basename(l.file), l.line]),
      [
        ['2010-12-01.csv', 2],
        ['2010-12-01.csv', 3],
        ['2010-12-01.csv', 4],
        ['2010-12-02.csv', 2],
        ['2010-12-02.csv', 3],
        ['2011-01-04.csv', 2],
      ],
    );
    for (const r of records(all)) {
      const p = parseRetailRecord(r);
      assert.ok(p.ok && p.value.customerId === 17850);
    }
    assert.deepEqual(
      (await retailFiles(path.join(daily, '2010-12-*.csv'))).map((f) => path.basename(f)),
      ['2010-12-01.csv', '2010-12-02.csv'],
    );
    assert.equal((await collect(path.join(daily, '2011-??-0[1-4].csv'))).length, 1);
  });

  it('says why a source gives nothing to read', async () => {
    const dir = await tmp();
    await assert.rejects(retailFiles(path.join(dir, '*.csv')), /no CSV files found/);
    await assert.rejects(retailFiles(path.join(dir, 'nope.csv')), /ENOENT/);
    await assert.rejects(retailFiles(path.join(dir, '*', 'x.csv')), /wildcards are allowed in the file name only/);
    const wrong = path.join(dir, 'train.csv');
    await writeFile(wrong, 'Store,DayOfWeek,Date\n1,5,2015-07-31\n');
    await assert.rejects(collect(wrong), /header lacks column\(s\) InvoiceNo, StockCode/);
  });
});
