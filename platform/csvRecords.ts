// CSV files with quoted fields (store.csv's lists, Online Retail's descriptions), read with
// csv-parse as records named by their header. A malformed line is skipped by the parser (its
// 'skip' event names it) rather than failing the file; a header without the columns fails it for
// good (InvalidInput: a retry cannot fix it).
import { parse, type Info, type Options } from 'csv-parse';
import { invalidInput } from '../contracts/failures.ts';

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
