import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse';
import { csvLineBatches, fileBytes, quoteFreeCsvLines, type LinePosition } from '../../platform/csvLines.ts';
import { generateStores, generateTrain } from '../../scripts/data/generator.ts';

// csv-parse with quotes off is the reference: the hand-written reader must give the same records.
async function reference(file: string) {
  const out: { fields: string[]; line: number }[] = [];
  const parser = createReadStream(file).pipe(
    parse({ quote: false, info: true, relax_column_count: true, skip_empty_lines: true }),
  );
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>)
    out.push({ fields: record, line: info.lines });
  return out;
}
async function mine(file: string) {
  const out: { fields: string[]; line: number }[] = [];
  for await (const batch of quoteFreeCsvLines(file))
    for (const l of batch) out.push({ fields: l.fields, line: l.line });
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
      assert.deepEqual(
        records.map((r) => r.line),
        [1, 2, 4, 6, 7, 8],
        'blank lines count in line numbers',
      );
    }
  });

  it('reads a generated train.csv exactly as csv-parse does', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-lines-'));
    const file = path.join(dir, 'train.csv');
    const opts = { seed: 3, stores: 40, from: '2014-01-01', to: '2014-03-31', products: 2 };
    let text = '';
    generateTrain(opts, generateStores(opts), (chunk) => {
      text += chunk;
    });
    await writeFile(file, text);
    const records = await mine(file);
    assert.equal(records.length, 1 + 40 * 90 * 2);
    assert.deepEqual(records, await reference(file));
  });

  it('resumes from where a reader stopped: the byte offset and line number of any line end give the same lines after it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-lines-'));
    // CRLF, blank lines, multi-byte characters and no final newline; 1-byte reads split characters and lines.
    const text = ['A,B', 'ä,ö', '', '€,1', '2,𝄞', '\r', 'x,y', '', 'last,line'].join('\r\n');
    const file = path.join(dir, 'resume.csv');
    await writeFile(file, text);
    const all = await mine(file);
    const read = async (from: LinePosition) => {
      const out: { fields: string[]; line: number }[] = [];
      const ends: LinePosition[] = [];
      for await (const batch of csvLineBatches(fileBytes(file, from.offset), from)) {
        batch.lines.forEach((l, i) => {
          out.push({ fields: l.fields, line: l.line });
          ends.push({ offset: batch.endOf(i), line: l.line });
        });
      }
      return { out, ends };
    };
    const { ends } = await read({ offset: 0, line: 0 });
    assert.equal(ends.at(-1)!.offset, Buffer.byteLength(text), 'the last line ends at the end of the file');
    for (const [i, end] of ends.entries()) {
      assert.deepEqual((await read(end)).out, all.slice(i + 1), `resumed after line ${end.line}`);
    }
    const lines: { fields: string[]; line: number }[] = [];
    for await (const batch of csvLineBatches(Readable.from([...Buffer.from(text)].map((b) => Buffer.from([b])))))
      for (const l of batch.lines) lines.push({ fields: l.fields, line: l.line });
    assert.deepEqual(lines, all);
  });
});
