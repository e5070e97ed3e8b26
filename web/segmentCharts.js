// The segments view's charts in Vega-Lite: customers by recency and spend (log scale), coloured by
// segment, and the silhouette of each k a run fitted. SVG marks carry aria-labels (screen readers
// and the browser test read them).
const CONFIG = { font: 'system-ui, sans-serif', view: { stroke: null } };

/** The legend's name of a segment: its number and label. */
export const segmentName = (segment, label) => `${segment} · ${label}`;

/** customers: [{customerId, segment, recency, frequency, monetary, tenure}]; labels by segment. */
export function customersSpec(customers, labels) {
  const names = labels.map((label, segment) => segmentName(segment, label));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 340,
    autosize: { type: 'fit-x', contains: 'padding' },
    // A log scale has no place for a spend of 0 or less: the seed's cleaning leaves none.
    data: {
      values: customers
        .filter((c) => c.monetary > 0)
        .map((c) => ({ ...c, name: names[c.segment] ?? segmentName(c.segment, '?') })),
    },
    mark: { type: 'point', filled: true, size: 22, opacity: 0.65 },
    encoding: {
      x: { field: 'recency', type: 'quantitative', title: 'Recency (days since the last purchase)' },
      y: {
        field: 'monetary',
        type: 'quantitative',
        title: 'Monetary (total spend, log scale)',
        scale: { type: 'log' },
      },
      color: {
        field: 'name',
        type: 'nominal',
        title: null,
        scale: { domain: names, scheme: 'tableau10' },
        legend: { orient: 'top', columns: 3 },
      },
      tooltip: [
        { field: 'customerId', title: 'customer' },
        { field: 'name', title: 'segment' },
        { field: 'recency', type: 'quantitative', title: 'recency (days)' },
        { field: 'frequency', type: 'quantitative', title: 'invoices' },
        { field: 'monetary', type: 'quantitative', title: 'spend', format: ',.2f' },
        { field: 'tenure', type: 'quantitative', title: 'tenure (days)' },
      ],
    },
    config: CONFIG,
  };
}

/** byK: [{k, silhouette, inertia}]; the k the run kept is marked. */
export function silhouetteSpec(byK, kept) {
  const rows = byK.map((f) => ({ ...f, kept: f.k === kept ? 'kept' : 'fitted' }));
  const x = { field: 'k', type: 'quantitative', title: 'k (segments)', axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'silhouette', type: 'quantitative', title: 'Silhouette', scale: { zero: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 200,
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { values: rows },
    encoding: { x, y },
    layer: [
      { mark: { type: 'line', color: '#94a3b8' } },
      {
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          color: {
            field: 'kept',
            type: 'nominal',
            title: null,
            scale: { domain: ['kept', 'fitted'], range: ['#d97706', '#2563eb'] },
            legend: { orient: 'top' },
          },
          tooltip: [
            { field: 'k', title: 'k' },
            { field: 'silhouette', type: 'quantitative', title: 'silhouette', format: '.3f' },
            { field: 'inertia', type: 'quantitative', title: 'inertia', format: ',.1f' },
            { field: 'kept', title: 'kept' },
          ],
        },
      },
    ],
    config: CONFIG,
  };
}
