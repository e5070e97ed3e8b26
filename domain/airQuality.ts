// The UCI Air Quality file (AirQualityUCI.csv, seed 001) and its rules: `;` between fields, `,` as the
// decimal mark, Date as dd/mm/yyyy and Time as HH.MM.SS (local time, no zone), -200 for a missing
// value, two empty fields closing every line and lines of nothing but `;` (or nothing) at the end.
// A line is read into one hourly reading or rejected with its reason; nothing is dropped silently.
import { dateProblem } from './dates.ts';
import { quoted } from './missingValues.ts';

/** The measurements after Date and Time, in file order. */
export const AIR_QUALITY_MEASURES = [
  'CO(GT)',
  'PT08.S1(CO)',
  'NMHC(GT)',
  'C6H6(GT)',
  'PT08.S2(NMHC)',
  'NOx(GT)',
  'PT08.S3(NOx)',
  'NO2(GT)',
  'PT08.S4(NO2)',
  'PT08.S5(O3)',
  'T',
  'RH',
  'AH',
] as const;
export type AirQualityMeasure = (typeof AIR_QUALITY_MEASURES)[number];

export const AIR_QUALITY_COLUMNS = ['Date', 'Time', ...AIR_QUALITY_MEASURES] as const;
/** The real file's header line: its columns and the two empty ones. */
export const AIR_QUALITY_HEADER = `${AIR_QUALITY_COLUMNS.join(';')};;`;

/** The file's marker of a missing value (the analyzer or sensor was down). */
export const AIR_QUALITY_MISSING = -200;

export interface AirQualityReading {
  /** Local time as the file writes it: 'YYYY-MM-DD HH:MM:SS'. */
  measuredAt: string;
  /** In AIR_QUALITY_MEASURES order; null where the file has -200. */
  values: (number | null)[];
}

export type AirQualityLine = { reading: AirQualityReading } | { blank: true } | { reason: string };

const DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;
const TIME = /^(\d{2})\.(\d{2})\.(\d{2})$/;
// the file's numbers: digits with `,` decimals
const NUMBER = /^-?\d+(,\d+)?$/;

/** Why a header is not the file's (undefined when it is). */
export function airQualityHeaderProblem(line: string): string | undefined {
  const fields = line
    .replace(/\r$/, '')
    .replace(/^\uFEFF/, '')
    .split(';');
  const named = fields.slice(0, AIR_QUALITY_COLUMNS.length);
  if (AIR_QUALITY_COLUMNS.every((c, i) => named[i] === c) && fields.slice(named.length).every((f) => f === ''))
    return undefined;
  return `the header must be ${AIR_QUALITY_HEADER}, got ${quoted(line.slice(0, 200))}`;
}

/** One line after the header: a reading, a blank line (nothing but `;`), or the reason it cannot be read. */
export function parseAirQualityLine(line: string): AirQualityLine {
  const text = line.replace(/\r$/, '');
  if (/^;*$/.test(text.trim())) return { blank: true };
  const fields = text.split(';');
  const extra = fields.slice(AIR_QUALITY_COLUMNS.length);
  if (fields.length < AIR_QUALITY_COLUMNS.length || extra.some((f) => f.trim() !== ''))
    return {
      reason: `has ${fields.filter((f) => f.trim() !== '').length} non-empty fields, expected the ${AIR_QUALITY_COLUMNS.length} of ${AIR_QUALITY_COLUMNS.join(';')}`,
    };
  const [date = '', time = ''] = fields;
  const d = DATE.exec(date.trim());
  if (!d) return { reason: `Date: ${quoted(date)} is not dd/mm/yyyy` };
  const iso = `${d[3]}-${d[2]}-${d[1]}`;
  const problem = dateProblem(iso, 'past');
  if (problem) return { reason: `Date: ${quoted(date)} ${problem}` };
  const t = TIME.exec(time.trim());
  if (!t || Number(t[1]) > 23 || Number(t[2]) > 59 || Number(t[3]) > 59)
    return { reason: `Time: ${quoted(time)} is not HH.MM.SS` };
  const values: (number | null)[] = [];
  for (const [i, column] of AIR_QUALITY_MEASURES.entries()) {
    const raw = fields[i + 2]!.trim();
    if (!NUMBER.test(raw))
      return {
        reason: `${column}: ${quoted(raw)} is not a number with a decimal comma (-200 for missing)`,
      };
    const n = Number(raw.replace(',', '.'));
    values.push(n === AIR_QUALITY_MISSING ? null : n);
  }
  return { reading: { measuredAt: `${iso} ${t[1]}:${t[2]}:${t[3]}`, values } };
}

export interface ParsedAirQualityFile {
  readings: { line: number; reading: AirQualityReading }[];
  rejected: { line: number; reason: string; raw: string }[];
  /** Lines after the header with no reading in them (the file's trailing `;;;;` and empty lines). */
  blank: number;
}

/**
 * Every line of a file's text (line numbers from 1, the header's being 1). A second reading of an
 * hour already read is rejected naming the line that has it.
 */
export function parseAirQualityFile(text: string): ParsedAirQualityFile {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const header = airQualityHeaderProblem(lines[0] ?? '');
  if (header) throw new Error(header);
  const out: ParsedAirQualityFile = { readings: [], rejected: [], blank: 0 };
  const seen = new Map<string, number>();
  lines.slice(1).forEach((raw, i) => {
    const line = i + 2;
    const parsed = parseAirQualityLine(raw);
    if ('blank' in parsed) out.blank++;
    else if ('reason' in parsed) out.rejected.push({ line, reason: parsed.reason, raw: raw.replace(/\r$/, '') });
    else {
      const first = seen.get(parsed.reading.measuredAt);
      if (first !== undefined)
        out.rejected.push({
          line,
          reason: `the hour ${parsed.reading.measuredAt} is already read at line ${first}`,
          raw: raw.replace(/\r$/, ''),
        });
      else {
        seen.set(parsed.reading.measuredAt, line);
        out.readings.push({ line, reading: parsed.reading });
      }
    }
  });
  return out;
}

/** A month of readings, 'YYYY-MM'. */
export const monthOf = (measuredAt: string): string => measuredAt.slice(0, 7);

/** The first hour of a month 'YYYY-MM', as readings' times are written: where a monthly window's parts start. */
export const monthStart = (month: string): string => `${month}-01 00:00:00`;

/** The month after 'YYYY-MM'. */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

interface ScoredMonth {
  testMonth: string;
  testRows: number;
  model: { rmse: number; mae: number };
  baseline: { rmse: number; mae: number };
}

/**
 * Test months pooled as one test set: each month once (its first in `months`, which lists the
 * latest runs first, so a retrained month counts its latest run), RMSE from the months' mean squares
 * and MAE from their mean errors, weighted by their rows. Null without a month.
 */
export function pooledTestMonths(months: readonly ScoredMonth[]) {
  const latest = new Map<string, ScoredMonth>();
  for (const m of months) if (!latest.has(m.testMonth)) latest.set(m.testMonth, m);
  const kept = [...latest.values()].sort((a, b) => (a.testMonth < b.testMonth ? -1 : 1));
  const rows = kept.reduce((n, m) => n + m.testRows, 0);
  if (!rows) return null;
  const pool = (score: (m: ScoredMonth) => { rmse: number; mae: number }) => ({
    rmse: Math.sqrt(kept.reduce((s, m) => s + score(m).rmse ** 2 * m.testRows, 0) / rows),
    mae: kept.reduce((s, m) => s + score(m).mae * m.testRows, 0) / rows,
  });
  return { months: kept.map((m) => m.testMonth), rows, model: pool((m) => m.model), baseline: pool((m) => m.baseline) };
}
