// The plan of a custom range: one row per day with the calendar it was forecast on (open, promo,
// state and school holiday), where that came from, and the forecast's main drivers. A planner edits days and sees the forecast
// change at once (a what-if: the days go inline with the forecast call, nothing is stored), then
// saves the edited days as the store's plan (POST /v1/calendar).
import { h } from './dom.js';

const STATE_HOLIDAYS = { 0: 'none', a: 'public', b: 'Easter', c: 'Christmas' };
const SOURCES = { history: 'history', plan: 'plan', request: 'edited', assumed: 'assumed' };
const weekday = (date) => new Date(`${date}T00:00:00Z`).toLocaleDateString('en', { weekday: 'short', timeZone: 'UTC' });

/** The days of a forecast answer as the plan starts from them. */
export const planDays = (forecast) =>
  forecast.map((p) => ({ date: p.timestamp.slice(0, 10), value: p.value, drivers: p.drivers, ...p.calendar }));

/** The level and the drivers that move it most (by at least 1%), e.g. "level 8,120 · promo ×1.21 · weekday ×0.94". */
export function driversLine(drivers) {
  if (!drivers) return drivers === null ? 'closed' : '';
  const strong = Object.entries(drivers.factors)
    .filter(([, f]) => Math.abs(Math.log(f)) >= 0.01)
    .sort(([, a], [, b]) => Math.abs(Math.log(b)) - Math.abs(Math.log(a)))
    .slice(0, 3)
    .map(([d, f]) => `${d} ×${f.toFixed(2)}`);
  return [`level ${drivers.level.toLocaleString('en')}`, ...strong].join(' · ');
}

/** The edited days as a forecast call's inline calendar (and, with the store, as planned days to save). */
export const editedCalendar = (days, edited) =>
  days
    .filter((d) => edited.has(d.date))
    .map(({ date, open, promo, state_holiday, school_holiday }) => ({
      date,
      open,
      promo,
      state_holiday,
      school_holiday,
    }));

/** The plan's table; `onEdit(date, change)` is called with the field a planner changed. */
export function planTable(days, onEdit) {
  const check = (d, field) =>
    h('input', {
      type: 'checkbox',
      checked: d[field],
      'aria-label': `${field.replace('_', ' ')} on ${d.date}`,
      'data-field': field,
    });
  const rows = days.map((d) => {
    const holiday = h(
      'select',
      { 'aria-label': `state holiday on ${d.date}`, 'data-field': 'state_holiday' },
      ...Object.entries(STATE_HOLIDAYS).map(([v, label]) =>
        h('option', { value: v, selected: v === d.state_holiday }, label),
      ),
    );
    const row = h(
      'tr',
      { 'data-date': d.date, class: d.source === 'request' ? 'edited' : undefined },
      h('th', { scope: 'row' }, `${weekday(d.date)} ${d.date}`),
      h('td', {}, check(d, 'open')),
      h('td', {}, check(d, 'promo')),
      h('td', {}, holiday),
      h('td', {}, check(d, 'school_holiday')),
      h('td', { class: 'source' }, SOURCES[d.source] ?? d.source),
      h('td', { class: 'value' }, d.value.toLocaleString('en')),
      h('td', { class: 'drivers' }, driversLine(d.drivers)),
    );
    row.addEventListener('change', (event) => {
      const input = event.target;
      const field = input.dataset.field;
      onEdit(d.date, { [field]: input.type === 'checkbox' ? input.checked : input.value });
    });
    return row;
  });
  return h(
    'table',
    { class: 'profiles plan-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['day', 'open', 'promo', 'state holiday', 'school holiday', 'calendar', 'forecast', 'main drivers'].map(
          (c) => h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    h('tbody', {}, ...rows),
  );
}
