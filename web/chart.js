// The forecast chart in Vega-Lite: actual sales, the stored 7-day forecast and a custom range's
// forecast, each forecast with its interval band. Rendered as SVG, whose marks carry readable
// aria-labels (screen readers and the browser test read them).
export const SERIES = { actual: 'Actual sales', forecast: '7-day forecast', custom: 'Custom forecast' };
const COLORS = { [SERIES.actual]: '#334155', [SERIES.forecast]: '#2563eb', [SERIES.custom]: '#d97706' };

/** A YYYY-MM-DD day as local midnight, so the chart shows the same calendar day in any time zone. */
const day = (date) => new Date(`${date}T00:00:00`).getTime();

/** One row per day and series: {day, series, value, lower?, upper?}. */
export function chartRows({ history = [], forecast = [], custom = [] }) {
  return [
    ...history.map((d) => ({ day: day(d.date), series: SERIES.actual, value: d.sales })),
    ...forecast.map((d) => ({
      day: day(d.date),
      series: SERIES.forecast,
      value: d.forecast,
      lower: d.lower,
      upper: d.upper,
    })),
    ...custom.map((d) => ({ day: day(d.date), series: SERIES.custom, value: d.value, lower: d.lower, upper: d.upper })),
  ];
}

function spec(rows) {
  const shown = Object.keys(COLORS).filter((s) => rows.some((r) => r.series === s));
  const x = {
    field: 'day',
    type: 'temporal',
    title: 'date',
    axis: { title: null, format: '%b %d', labelOverlap: true },
  };
  const tooltip = [
    { field: 'series', title: 'series' },
    { field: 'day', type: 'temporal', title: 'date', format: '%a %b %d, %Y' },
    { field: 'value', type: 'quantitative', title: 'sales', format: ',.0f' },
    { field: 'lower', type: 'quantitative', title: '95% low', format: ',.0f' },
    { field: 'upper', type: 'quantitative', title: '95% high', format: ',.0f' },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 300,
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { name: 'series', values: rows },
    encoding: {
      x,
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: shown, range: shown.map((s) => COLORS[s]) },
        legend: { orient: 'top' },
      },
    },
    layer: [
      {
        transform: [{ filter: 'isValid(datum.lower)' }],
        mark: { type: 'area', opacity: 0.18 },
        encoding: { y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' } },
      },
      {
        mark: { type: 'line', strokeWidth: 2 },
        encoding: { y: { field: 'value', type: 'quantitative', title: 'Sales' } },
      },
      {
        // A point per forecast day: hover shows its interval.
        transform: [{ filter: `datum.series !== '${SERIES.actual}'` }],
        mark: { type: 'point', filled: true, size: 30 },
        encoding: { y: { field: 'value', type: 'quantitative' }, tooltip },
      },
    ],
    config: { font: 'system-ui, sans-serif', view: { stroke: null } },
  };
}

const views = new WeakMap();

/** Draws a Vega-Lite spec into `element` as SVG, replacing what was drawn there. */
export async function embedChart(element, chartSpec) {
  if (!globalThis.vega || !globalThis.vegaLite || !globalThis.vegaEmbed) {
    throw new Error(
      'The chart library did not load (/assets/vendor/). Reload the page; if it stays, the API cannot find Vega in node_modules.',
    );
  }
  views.get(element)?.finalize();
  const { view } = await globalThis.vegaEmbed(element, chartSpec, { actions: false, renderer: 'svg' });
  views.set(element, view);
}

/** Draws (or redraws) the forecast chart into `element`. */
export const drawChart = (element, rows) => embedChart(element, spec(rows));
