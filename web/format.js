// Numbers, dates and durations as a planner reads them.
const DAY_MS = 86_400_000;

/** Calendar arithmetic on YYYY-MM-DD strings (UTC, so no time zone shifts a day). */
export function addDays(date, days) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export const number = (n, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n)
    ? '–'
    : n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const percent = (x) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);

export function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export const dateTime = (iso) => new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });

/** A forecast's backtest metrics in one line. */
export const metricsLine = (m) =>
  `RMSPE ${percent(m.rmspe)} · MAPE ${percent(m.mape)} · WAPE ${percent(m.wape)} · bias ${percent(m.bias)} · interval coverage ${percent(m.coverage)}`;
