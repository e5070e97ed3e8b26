// The Experiments view's charts in Vega-Lite: a model's predictions against the actual targets of
// its run's test rows (with the line where they are equal), and the feature importances of a tree
// model. SVG marks carry aria-labels (screen readers and the browser test read them).
const CONFIG = { font: 'system-ui, sans-serif', view: { stroke: null } };
/** The importances shown: the largest ones (a one-hot encoded outlet or item type makes dozens). */
export const IMPORTANCES_SHOWN = 15;

/** points: [{actual, predicted}]; `target` names the axis' quantity. */
export function predictedSpec(points, target) {
  const values = points.flatMap((p) => [p.actual, p.predicted]);
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values);
  const axis = (title) => ({ type: 'quantitative', title, scale: { domain: [lo, hi] } });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 340,
    autosize: { type: 'fit-x', contains: 'padding' },
    layer: [
      {
        data: {
          values: [
            { actual: lo, predicted: lo },
            { actual: hi, predicted: hi },
          ],
        },
        mark: { type: 'line', color: '#94a3b8', strokeDash: [4, 4] },
        encoding: {
          x: { field: 'actual', ...axis(`Actual ${target}`) },
          y: { field: 'predicted', ...axis(`Predicted ${target}`) },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 18, opacity: 0.55, color: '#2563eb' },
        encoding: {
          x: { field: 'actual', ...axis(`Actual ${target}`) },
          y: { field: 'predicted', ...axis(`Predicted ${target}`) },
          tooltip: [
            { field: 'actual', type: 'quantitative', title: 'actual', format: ',.1f' },
            { field: 'predicted', type: 'quantitative', title: 'predicted', format: ',.1f' },
          ],
        },
      },
    ],
    config: CONFIG,
  };
}

/** importances: [{feature, importance}], largest first (as the API gives them). */
export function importanceSpec(importances) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: { step: 18 },
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { values: importances.slice(0, IMPORTANCES_SHOWN) },
    mark: { type: 'bar', color: '#2563eb' },
    encoding: {
      y: { field: 'feature', type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 220 } },
      x: { field: 'importance', type: 'quantitative', title: 'Share of the split gain', axis: { format: '.0%' } },
      tooltip: [
        { field: 'feature', title: 'feature' },
        { field: 'importance', type: 'quantitative', title: 'importance', format: '.1%' },
      ],
    },
    config: CONFIG,
  };
}
