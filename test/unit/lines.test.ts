import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse';
import { quoteFreeCsvLines } from '../../platform/csvLines.ts';
import { generateStores, generateTrain } from '../../scripts/data/generator.ts';

// csv-parse with quotes off is the reference: the hand-written reader must give the same records.
async function reference(file: string) {
  const out: { fields: string[]; line: number }[] = [];
  const parser = createReadStream(file).pipe(parse({ quote: false, info: true, relax_column_count: true, skip_empty_lines: true }));
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) out.push({ fields: record, line: info.lines });
  return out;
}
async function mine(file: string) {
  const out: { fields: string[]; line: number }[] = [];
  for await (const batch of quoteFreeCsvLines(file)) for (const l of batch) out.push({ fields: l.fields, line: l.line });
  return out;
}

describe('quote-free CSV reader', () => {
  it('reads awkward input exactly as csv-parse does, with LF and with CRLF line ends', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-lines-'));
    const lines = ['A,B,C', '1,2,3', '', '4,5', '', '6,"7,8', '9,10,11,12', '"0",x,y'];
    for (const eol of ['\n', '\r\n']) {
      const file = path.join(dir, `awkward-${eol.length}.csv`);
      await writeFile(file, lines.join(eol));
      const records = await mine(file);
      assert.deepEqual(records, await reference(file));
      assert.deepEqual(records.map((r) => r.line), [1, 2, 4, 6, 7, 8], 'blank lines count in line numbers');
    }
  });

  it('reads a generated train.csv exactly as csv-parse does', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-lines-'));
    const file = path.join(dir, 'train.csv');
    const opts = { seed: 3, stores: 40, from: '2014-01-01', to: '2014-03-31', products: 2 };
    let text = '';
    generateTrain(opts, generateStores(opts), (chunk) => { text += chunk; });
    await writeFile(file, text);
    const records = await mine(file);
    assert.equal(records.length, 1 + 40 * 90 * 2);
    assert.deepEqual(records, await reference(file));
  });
});
