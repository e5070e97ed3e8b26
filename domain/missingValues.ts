// How exported CSV files spell a missing value: blank (pandas' default), NULL and \N (database
// exports), NA, N/A, <NA>, NaN, nan and None (pandas, R). A column that allows a missing value
// takes any of them as one; a column that does not rejects them as missing, not as bad text.
const MISSING = new Set([
  '',
  'NULL',
  'null',
  'Null',
  '\\N',
  'NA',
  'N/A',
  'n/a',
  '<NA>',
  'NaN',
  'nan',
  'NAN',
  'None',
  'none',
]);

export const isMissing = (value: string | undefined): boolean => value === undefined || MISSING.has(value.trim());

/** A CSV value as a rejection quotes it. */
export const quoted = (value: string | undefined): string =>
  value === undefined ? 'nothing (no such field)' : JSON.stringify(value);

/** The rejection of a missing value in a column that needs one. */
export const requiredReason = (column: string, value: string | undefined): string =>
  `${column}: a value is required, got ${quoted(value)}`;
