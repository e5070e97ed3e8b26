// What a dataset's history features are (the spec part and the columns it adds), apart from the
// code that computes them (history.ts), which reads the dataset spec that names this one.
export interface HistorySpec {
  /** The id column of each row's hour, 'YYYY-MM-DD HH:MM:SS', read as wall-clock hours (no time zone shifts). */
  time: string;
  /** The number columns whose earlier readings make features. */
  columns: string[];
  /** A reading `h` hours before the row, per h (24: the same hour yesterday). */
  lags: number[];
  /** The mean of the previous `w` hours' readings (the row's own excluded), per w. */
  means: number[];
  /** The row's reading minus the mean of the previous `w` hours, per w: where it stands against its recent level, which follows sensor drift. */
  deviations: number[];
}

/** The field of a served instance holding the readings before it: entry i is the hour i+1 hours before. */
export const HISTORY_FIELD = 'history';

export const lagColumn = (column: string, hours: number) => `${column} ${hours}h before`;
export const meanColumn = (column: string, hours: number) => `${column} mean of previous ${hours}h`;
export const deviationColumn = (column: string, hours: number) => `${column} minus mean of previous ${hours}h`;

/** The columns the history adds, in a fixed order (per column: lags, means, deviations). */
export function historyColumns(h: HistorySpec): string[] {
  return h.columns.flatMap((c) => [
    ...h.lags.map((l) => lagColumn(c, l)),
    ...h.means.map((w) => meanColumn(c, w)),
    ...h.deviations.map((w) => deviationColumn(c, w)),
  ]);
}

/** How many hours before a row its features look back: the length a served instance's history must have. */
export function historyHours(h: HistorySpec): number {
  return Math.max(0, ...h.lags, ...h.means, ...h.deviations);
}
