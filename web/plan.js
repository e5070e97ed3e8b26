// The plan of a custom range: one row per day with the calendar it was forecast on (open, promo,
// state and school holiday) and where that came from. A planner edits days and sees the forecast
// change at once (a what-if: the days go inline with the forecast call, nothing is stored), then
// saves the edited days as the store's plan (POST /v1/calendar).
import { h } from './dom.js';

const STATE_HOLIDAYS = { 0: 'none', a: 'public', b: 'Easter', c: 'Christmas' };
const SOURCES = { history: 'history', plan: 'plan', request: 'edited', assumed: 'assumed' };
const weekday = (date) => new Date(`${date}T00:00:00Z`).toLocaleDateString('en', { weekday: 'short', timeZone: 'UTC' });

/** The days of a forecast answer as the plan starts from them. */
export const planDays = (forecast) =>
  forecast.map((p) => ({ date: p.timestamp.slice(0, 10), value: p.value, ...p.calendar }));

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
        ...['day', 'open', 'promo', 'state holiday', 'school holiday', 'calendar', 'forecast'].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    h('tbody', {}, ...rows),
  );
}
