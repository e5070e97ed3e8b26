// Kaggle's test.csv (Id, Store, DayOfWeek, Date, Open, Promo, StateHoliday, SchoolHoliday) into the
// planned calendar. Each record is checked as POST /v1/calendar checks a day (contracts/calendar.ts);
// a bad line, a day of a store the stores table lacks, and a day whose Open is blank (the real file
// has some: such a day is left to the assumed calendar) are kept in rejected_rows with their line and
// reason. Upserts by (store, date): importing the file again writes nothing twice.
import type { Readable } from 'node:stream';
import { parsePlannedDay, type PlannedDay } from '../contracts/calendar.ts';
import type { CalendarImportSummary } from '../contracts/imports.ts';
import { isMissing, requiredReason } from '../domain/missingValues.ts';
import { readRecords } from './csvRecords.ts';
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
  const rejected = await readRecords(bytes, COLUMNS, file, (record, line, raw) => {
    const day = plannedDayOf(record);
    if ('reason' in day) return day.reason;
    days.push({ ...day, line, raw });
    return undefined;
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
