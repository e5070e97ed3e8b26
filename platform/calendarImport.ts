// Kaggle's test.csv (Id, Store, DayOfWeek, Date, Open, Promo, StateHoliday, SchoolHoliday) into the
// planned calendar. Each record is checked as POST /v1/calendar checks a day (contracts/calendar.ts);
// a bad line, a day of a store the stores table lacks, and a day whose Open is blank (the real file
// has some: such a day is left to the assumed calendar) are kept in rejected_rows with their line and
// reason. Upserts by (store, date): importing the file again writes nothing twice.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parsePlannedDay, type PlannedDay } from '../contracts/calendar.ts';
import type { CalendarImportSummary } from '../contracts/imports.ts';
import { isMissing, requiredReason } from '../domain/missingValues.ts';
import type { Rejection } from '../domain/salesBatch.ts';
import { csvParser, recordReader, type ParsedRecord } from './csvRecords.ts';
import { savePlannedDays, unknownStores } from './plannedCalendar.ts';
import { inTransaction, type Pool } from './postgres.ts';
import { saveRejections } from './rejections.ts';
import { csvValue } from './trainRows.ts';

const COLUMNS = ['Store', 'Date', 'Open', 'Promo', 'StateHoliday', 'SchoolHoliday'] as const;
const FIELD_OF_COLUMN: Record<string, string> = {
  store_id: 'Store',
  date: 'Date',
  day_of_week: 'DayOfWeek',
  open: 'Open',
  promo: 'Promo',
  state_holiday: 'StateHoliday',
  school_holiday: 'SchoolHoliday',
};

function plannedDayOf(r: Record<string, string>): { day: PlannedDay } | { reason: string } {
  for (const c of COLUMNS) if (isMissing(r[c])) return { reason: requiredReason(c, r[c]) };
  const parsed = parsePlannedDay({
    store_id: csvValue(r.Store),
    date: r.Date,
    ...(r.DayOfWeek === undefined ? {} : { day_of_week: csvValue(r.DayOfWeek) }),
    open: csvValue(r.Open),
    promo: csvValue(r.Promo),
    state_holiday: csvValue(r.StateHoliday),
    school_holiday: csvValue(r.SchoolHoliday),
  });
  if (!parsed.ok) return { reason: `${FIELD_OF_COLUMN[parsed.field] ?? parsed.field}: ${parsed.reason}` };
  return { day: parsed.value };
}

/** Upserts the planned days of a test.csv read from `bytes` (named `file` in messages, `source` in rejected_rows). */
export async function importCalendarFrom(
  pool: Pool,
  bytes: Readable,
  file: string,
  source: string,
): Promise<CalendarImportSummary> {
  const days: { day: PlannedDay; line: number; raw: string }[] = [];
  const rejected: Rejection[] = [];
  const parser = csvParser();
  const read = recordReader(COLUMNS, file);
  parser.on('skip', (err: Error & { lines?: number; raw?: string }) =>
    rejected.push({ line: err.lines ?? 0, reason: `malformed CSV: ${err.message}`, raw: err.raw ?? '' }),
  );
  await pipeline(bytes, parser, async (records: AsyncIterable<ParsedRecord>) => {
    for await (const { record: fields, info, raw } of records) {
      const parsed = read(fields);
      if (!parsed) continue;
      if ('wrongLength' in parsed) {
        rejected.push({ line: info.lines, reason: parsed.wrongLength, raw });
        continue;
      }
      const day = plannedDayOf(parsed.record);
      if ('reason' in day) rejected.push({ line: info.lines, reason: day.reason, raw });
      else days.push({ ...day, line: info.lines, raw });
    }
  });
  const unknown = await unknownStores(
    pool,
    days.map((d) => d.day.storeId),
  );
  const kept = days.filter((d) => !unknown.has(d.day.storeId));
  for (const d of days)
    if (unknown.has(d.day.storeId))
      rejected.push({
        line: d.line,
        reason: `Store: no store ${d.day.storeId} (import its store.csv first)`,
        raw: d.raw,
      });
  await inTransaction(pool, async (client) => {
    await savePlannedDays(
      client,
      kept.map((d) => d.day),
      source,
    );
    await saveRejections(client, source, rejected);
  });
  return { source, read: kept.length + rejected.length, loaded: kept.length, rejected: rejected.length };
}
