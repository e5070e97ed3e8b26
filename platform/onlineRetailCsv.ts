// Reads Online Retail CSV files (one UCI export, or a folder or glob of Spark's daily files) into
// records by column name, each with its file and line, with csv-parse (descriptions quote commas),
// from a local file or any byte stream that starts at a line boundary (a chunk of a GCS object).
// Encoding: the UCI export is often Windows-1252, so bytes are read as latin1 (one char per byte,
// so CSV structure is untouched) and each field with a byte >= 0x80 is decoded as UTF-8 when it is
// valid UTF-8, else as Windows-1252: "CAFÉ" reads the same from either encoding, in one file too.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { invalidInput } from '../contracts/failures.ts';
import { ONLINE_RETAIL_COLUMNS } from '../domain/onlineRetail.ts';
import { csvParser, recordReader, type ParsedRecord } from './csvRecords.ts';

export type RetailCsvLine = { file: string; line: number; raw: string } & (
  | { record: Record<string, string> }
  /** Why the line is no record (malformed CSV, wrong number of fields). */
  | { problem: string }
);

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NON_ASCII = /[\u0080-\u00ff]/;
// Windows-1252's 0x80-0x9F (Node's TextDecoder reads them as C1 controls, as latin1 does); the
// rest of its bytes are latin1's. Its five undefined bytes stay as they are.
const CP1252_80_9F =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const windows1252 = (latin1: string) =>
  latin1.replace(/[\u0080-\u009f]/g, (c) => CP1252_80_9F[c.charCodeAt(0) - 0x80]!);

/** Text read as latin1, decoded as UTF-8 when its bytes are UTF-8 and as Windows-1252 otherwise. */
export function decodeLatin1Read(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  try {
    return utf8.decode(Buffer.from(text, 'latin1'));
  } catch {
    return windows1252(text);
  }
}

const GLOB = /[*?[]/;

function globRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/**
 * The files of a source, in name order (daily files are named by date): a file, every .csv of a
 * folder, or a glob whose wildcards (* ? [..]) are in the file name only (`daily/2011-*.csv`).
 */
export async function retailFiles(source: string): Promise<string[]> {
  let dir: string;
  let matches: (name: string) => boolean;
  if (GLOB.test(path.dirname(source)))
    throw new Error(`${source}: wildcards are allowed in the file name only, not in ${path.dirname(source)}`);
  if (GLOB.test(path.basename(source))) {
    dir = path.dirname(source);
    const re = globRegExp(path.basename(source));
    matches = (name) => re.test(name);
  } else if ((await stat(source)).isDirectory()) {
    dir = source;
    matches = (name) => name.toLowerCase().endsWith('.csv');
  } else {
    return [source];
  }
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && matches(e.name))
    .map((e) => path.join(dir, e.name))
    .sort();
  if (!files.length) throw new Error(`${source}: no CSV files found`);
  return files;
}

/** Where reading starts: the number of lines before it, and the file's header when it was read before. */
export interface RetailReadStart {
  line: number;
  header?: string[];
}

const cleanHeader = (fields: string[]) => fields.map((f, i) => (i === 0 ? f.replace(/^\uFEFF/, '') : f).trim());
const withoutLineEnds = (raw: string) => raw.replace(/^[\r\n]+|[\r\n]+$/g, '');

/**
 * The lines of an Online Retail CSV byte stream that starts at a line boundary, after the header
 * (read first, unless `from.header` gives it), in file order. A record carries `end`, the byte
 * offset just past it in the stream, so a reader may stop after any record and resume there;
 * `header()` is the header once read.
 */
export function readRetailLines(
  bytes: AsyncIterable<Buffer>,
  file: string,
  from: RetailReadStart = { line: 0 },
): { header: () => string[] | undefined; lines: AsyncGenerator<RetailCsvLine & { end?: number }> } {
  let header = from.header;
  async function* lines(): AsyncGenerator<RetailCsvLine & { end?: number }> {
    // Parsed as latin1 (one char per byte, so `info.bytes` counts bytes); each field decoded after.
    const parser = csvParser({ encoding: 'latin1' });
    // The parser reports a skipped line as it reads, ahead of the records taken out of it: each is
    // handed out before the first record after it, so lines keep file order.
    const skipped: RetailCsvLine[] = [];
    parser.on('skip', (err: Error & { lines?: number; raw?: string }) =>
      skipped.push({
        file,
        line: from.line + (err.lines ?? 0),
        raw: withoutLineEnds(decodeLatin1Read(err.raw ?? '')),
        problem: err.message,
      }),
    );
    const read = recordReader(ONLINE_RETAIL_COLUMNS, file, cleanHeader);
    if (header) read(header);
    const source = Readable.from(bytes);
    source.on('error', (err) => parser.destroy(err));
    source.pipe(parser);
    try {
      for await (const { record, info, raw } of parser as AsyncIterable<ParsedRecord>) {
        const line = from.line + info.lines;
        while (skipped.length && skipped[0]!.line < line) yield skipped.shift()!;
        const fields = record.map(decodeLatin1Read);
        const parsed = read(fields);
        if (!parsed) {
          header = cleanHeader(fields);
          continue;
        }
        const at = { file, line, raw: withoutLineEnds(decodeLatin1Read(raw)), end: info.bytes };
        yield 'wrongLength' in parsed ? { ...at, problem: parsed.wrongLength } : { ...at, record: parsed.record };
      }
      yield* skipped.splice(0);
      if (!header) throw invalidInput(file, 'empty, no header');
    } finally {
      // A reader that stopped early leaves nothing reading.
      source.unpipe(parser);
      source.destroy();
      parser.destroy();
    }
  }
  return { header: () => header, lines: lines() };
}

/** The lines of one file after its header; a header without the Online Retail columns is an error. */
export async function* readRetailFile(file: string): AsyncGenerator<RetailCsvLine> {
  yield* readRetailLines(createReadStream(file, { highWaterMark: 1 << 20 }), file).lines;
}

/** Every line of every file of a source (see retailFiles), file after file. */
export async function* readRetailSource(source: string): AsyncGenerator<RetailCsvLine> {
  for (const file of await retailFiles(source)) yield* readRetailFile(file);
}
