// History features: what a row's own series did in the hours before it, for hourly data whose model
// runs on a device that keeps its recent readings (air quality: a sensor box knows its own last
// week, never the reference analyzer's). Training computes them over the source's rows in time
// order; serving computes the same numbers from an instance's `history`, the readings of the hours
// before it. Gaps: an hour with no row, or with the column missing (blank, null, the spec's missing
// marker such as -200), has no reading; a lag of it is null, a mean is over the hours that have one
// (null when none has), and nulls are then imputed as any missing input (the training median).
import type { ColumnSpec, DatasetSpec } from './spec.ts';
import { readValue, TabularInputError, type RawRow } from './values.ts';
import {
  HISTORY_FIELD,
  deviationColumn,
  historyColumns,
  historyHours,
  lagColumn,
  meanColumn,
  type HistorySpec,
} from './historySpec.ts';

const HOUR_MS = 3_600_000;

/** `before(k, column)`: the reading k hours before (null for a gap); `current(column)`: the row's own. */
function featuresAt(
  h: HistorySpec,
  current: (column: string) => number | null,
  before: (hours: number, column: string) => number | null,
): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const c of h.columns) {
    for (const l of h.lags) out[lagColumn(c, l)] = before(l, c);
    const meanOf = (w: number) => {
      let sum = 0;
      let n = 0;
      for (let k = 1; k <= w; k++) {
        const v = before(k, c);
        if (v === null) continue;
        sum += v;
        n++;
      }
      return n ? sum / n : null;
    };
    for (const w of h.means) out[meanColumn(c, w)] = meanOf(w);
    for (const w of h.deviations) {
      const [now, mean] = [current(c), meanOf(w)];
      out[deviationColumn(c, w)] = now === null || mean === null ? null : now - mean;
    }
  }
  return out;
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/** The hour number of a 'YYYY-MM-DD HH:MM:SS' (wall clock read as UTC, so every day has 24 hours). */
function hourOf(column: string, v: unknown, row: number): number {
  const m = typeof v === 'string' ? TIME.exec(v.trim()) : null;
  const ms = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
  if (!m || Number.isNaN(ms) || ms % HOUR_MS !== 0)
    throw new TabularInputError(column, v, `is ${JSON.stringify(v)}, not an hour 'YYYY-MM-DD HH:00:00'`, row);
  return ms / HOUR_MS;
}

function historySpecOf(spec: DatasetSpec): { h: HistorySpec; byName: Map<string, ColumnSpec> } {
  if (!spec.history) throw new Error(`spec ${spec.name} has no history`);
  return { h: spec.history, byName: new Map(spec.columns.map((c) => [c.name, c])) };
}

const numberOf = (c: ColumnSpec | undefined, v: unknown, row?: number) =>
  (c ? readValue(c, v, row) : null) as number | null;

/**
 * The rows with their history features, each from the rows of the hours before it (any order in,
 * the same order out): the whole series, so rows later dropped (no target) still count as readings.
 * Throws naming the row when its time is not an hour or two rows have the same hour.
 */
export function withHistory(spec: DatasetSpec, rows: readonly RawRow[]): RawRow[] {
  const { h, byName } = historySpecOf(spec);
  const hours = rows.map((r, i) => hourOf(h.time, r[h.time], i));
  const readings = new Map<number, Record<string, number | null>>();
  rows.forEach((r, i) => {
    if (readings.has(hours[i]!)) throw new TabularInputError(h.time, r[h.time], `is the hour of an earlier row too`, i);
    readings.set(hours[i]!, Object.fromEntries(h.columns.map((c) => [c, numberOf(byName.get(c), r[c], i)])));
  });
  return rows.map((r, i) => {
    const own = readings.get(hours[i]!)!;
    return {
      ...r,
      ...featuresAt(
        h,
        (c) => own[c] ?? null,
        (k, c) => readings.get(hours[i]! - k)?.[c] ?? null,
      ),
    };
  });
}

/**
 * A served instance with its history features, from its `history` field: exactly historyHours
 * entries, entry i the readings of i+1 hours before (null for an hour without readings; a reading
 * null or the missing marker for one sensor's gap). Throws a TabularInputError naming
 * `history` or `history.<i>.<column>` when it is missing or malformed; `inputs`: the columns an entry may have.
 */
export function instanceWithHistory(
  spec: DatasetSpec,
  instance: RawRow,
  inputs: readonly string[],
  row: number,
): RawRow {
  const { h, byName } = historySpecOf(spec);
  const need = historyHours(h);
  const { [HISTORY_FIELD]: history, ...rest } = instance;
  const shape = `a list of the ${need} previous hours' readings, newest first (entry 0: one hour before; null for an hour without readings)`;
  if (history === undefined)
    throw new TabularInputError(HISTORY_FIELD, history, `is required by this model: ${shape}`, row);
  if (!Array.isArray(history) || history.length !== need)
    throw new TabularInputError(
      HISTORY_FIELD,
      Array.isArray(history) ? `${history.length} entries` : history,
      `${Array.isArray(history) ? `has ${history.length} entries` : `is ${JSON.stringify(history)}`}; it must be ${shape}`,
      row,
    );
  const entries = history.map((entry: unknown, i): Record<string, number | null> => {
    const field = `${HISTORY_FIELD}.${i}`;
    if (entry === null) return {};
    if (typeof entry !== 'object' || Array.isArray(entry))
      throw new TabularInputError(field, entry, `is ${JSON.stringify(entry)}, not an object of readings or null`, row);
    for (const column of Object.keys(entry))
      if (!inputs.includes(column))
        throw new TabularInputError(
          `${field}.${column}`,
          (entry as RawRow)[column],
          `is not a reading of this model; an entry has ${h.columns.join(', ')} (and may have ${inputs.filter((c) => !h.columns.includes(c)).join(', ')})`,
          row,
        );
    return Object.fromEntries(
      h.columns.map((c) => {
        try {
          return [c, numberOf(byName.get(c), (entry as RawRow)[c])];
        } catch (err) {
          if (!(err instanceof TabularInputError)) throw err;
          throw new TabularInputError(`${field}.${c}`, err.value, err.reason, row);
        }
      }),
    );
  });
  for (const column of historyColumns(h))
    if (column in rest)
      throw new TabularInputError(
        column,
        rest[column],
        `is computed from ${HISTORY_FIELD}; send the readings there`,
        row,
      );
  return {
    ...rest,
    ...featuresAt(
      h,
      (c) => (rest[c] === undefined ? null : numberOf(byName.get(c), rest[c], row)),
      (k, c) => entries[k - 1]?.[c] ?? null,
    ),
  };
}
