// CSV files with quoted fields (store.csv's lists, Online Retail's descriptions), read with
// csv-parse as records named by their header. A malformed line is skipped by the parser (its
// 'skip' event names it) rather than failing the file; a header without the columns fails it for
// good (InvalidInput: a retry cannot fix it).
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, type Info, type Options } from 'csv-parse';
import { invalidInput } from '../contracts/failures.ts';
import type { Rejection } from '../domain/salesBatch.ts';

/** `options` on top of the project's: e.g. `encoding: 'latin1'` to parse bytes as they are. */
export function csvParser(options: Options = {}) {
  return parse({
    ...options,
    info: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
}

export interface ParsedRecord {
  record: string[];
  info: Info;
  raw: string;
}

/**
 * Reads the header (the first record, passed through `cleanHeader`) and turns the following records
 * into objects by column name; a record with another number of fields than the header is reported,
 * not guessed at.
 */
export function recordReader(
  expected: readonly string[],
  file: string,
  cleanHeader: (fields: string[]) => string[] = (fields) => fields,
) {
  let header: string[] | undefined;
  return (fields: string[]): { record: Record<string, string> } | { wrongLength: string } | undefined => {
    if (!header) {
      const names = cleanHeader(fields);
      const missing = expected.filter((c) => !names.includes(c));
      if (missing.length)
        throw invalidInput(file, `header lacks column(s) ${missing.join(', ')}; found ${names.join(', ')}`);
      header = names;
      return undefined;
    }
    if (fields.length !== header.length)
      return { wrongLength: `wrong number of fields: ${fields.length}, the header has ${header.length}` };
    return { record: Object.fromEntries(header.map((h, i) => [h, fields[i]!])) };
  };
}

/**
 * Reads a whole CSV file's records by column name. `onRecord` gets each with its line and raw text,
 * and returns why it is rejected, if it is. Returns the rejections in file order: malformed lines,
 * records of another length than the header, and those `onRecord` refused.
 */
export async function readRecords(
  bytes: Readable,
  columns: readonly string[],
  file: string,
  onRecord: (record: Record<string, string>, line: number, raw: string) => string | undefined,
): Promise<Rejection[]> {
  const rejected: Rejection[] = [];
  const parser = csvParser();
  const read = recordReader(columns, file);
  parser.on('skip', (err: Error & { lines?: number; raw?: string }) =>
    rejected.push({ line: err.lines ?? 0, reason: `malformed CSV: ${err.message}`, raw: err.raw ?? '' }),
  );
  await pipeline(bytes, parser, async (records: AsyncIterable<ParsedRecord>) => {
    for await (const { record: fields, info, raw } of records) {
      const parsed = read(fields);
      if (!parsed) continue;
      const reason = 'wrongLength' in parsed ? parsed.wrongLength : onRecord(parsed.record, info.lines, raw);
      if (reason !== undefined) rejected.push({ line: info.lines, reason, raw });
    }
  });
  return rejected;
}
