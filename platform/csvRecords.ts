// CSV files with quoted fields (store.csv's lists, Online Retail's descriptions), read with
// csv-parse as records named by their header. A malformed line is skipped by the parser (its
// 'skip' event names it) rather than failing the file.
import { parse, type Info } from 'csv-parse';

export function csvParser() {
  return parse({
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
        throw new Error(`${file}: header lacks column(s) ${missing.join(', ')}; found ${names.join(', ')}`);
      header = names;
      return undefined;
    }
    if (fields.length !== header.length)
      return { wrongLength: `wrong number of fields: ${fields.length}, the header has ${header.length}` };
    return { record: Object.fromEntries(header.map((h, i) => [h, fields[i]!])) };
  };
}
