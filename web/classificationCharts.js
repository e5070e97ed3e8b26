// The Experiments view's charts of a binary classifier on its run's test rows, in Vega-Lite: the
// ROC curve, the precision-recall curve (each with the chosen threshold marked) and the effect of
// the threshold on precision, recall and F1. `curve` is the API's: one point per distinct score,
// highest first. SVG marks carry aria-labels (screen readers and the browser test read them).
const CONFIG = { font: 'system-ui, sans-serif', view: { stroke: null } };
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The curve's point at a threshold: predicting 1 for every score at or above it. */
export function pointAt(curve, threshold) {
  let at;
  for (const p of curve) if (p.threshold >= threshold) at = p;
  return at ?? { ...curve[0], tp: 0, fp: 0, precision: 0, recall: 0, fpr: 0, f1: 0, threshold };
}

const base = (height = 300) => ({
  $schema: SCHEMA,
  width: 'container',
  height,
  autosize: { type: 'fit-x', contains: 'padding' },
  config: CONFIG,
});
const unit = (title) => ({ type: 'quantitative', title, scale: { domain: [0, 1] } });
const marker = (curve, threshold, x, y, xTitle, yTitle) => ({
  data: { values: [{ ...pointAt(curve, threshold), chosen: threshold }] },
  mark: { type: 'point', filled: true, size: 110, color: '#dc2626' },
  encoding: {
    x: { field: x, ...unit(xTitle) },
    y: { field: y, ...unit(yTitle) },
    tooltip: [
      { field: 'chosen', type: 'quantitative', title: 'threshold', format: '.3f' },
      { field: 'precision', type: 'quantitative', title: 'precision', format: '.3f' },
      { field: 'recall', type: 'quantitative', title: 'recall', format: '.3f' },
    ],
  },
});

export function rocSpec(curve, threshold) {
  const points = [{ fpr: 0, recall: 0, threshold: 1 }, ...curve];
  return {
    ...base(),
    layer: [
      {
        data: {
          values: [
            { fpr: 0, recall: 0 },
            { fpr: 1, recall: 1 },
          ],
        },
        mark: { type: 'line', color: '#94a3b8', strokeDash: [4, 4] },
        encoding: {
          x: { field: 'fpr', ...unit('False positive rate') },
          y: { field: 'recall', ...unit('Recall (true positive rate)') },
        },
      },
      {
        data: { values: points },
        mark: { type: 'line', color: '#2563eb', interpolate: 'step-after' },
        encoding: {
          x: { field: 'fpr', ...unit('False positive rate') },
          y: { field: 'recall', ...unit('Recall (true positive rate)') },
          order: { field: 'fpr' },
        },
      },
      marker(curve, threshold, 'fpr', 'recall', 'False positive rate', 'Recall (true positive rate)'),
    ],
  };
}

export function prSpec(curve, threshold) {
  return {
    ...base(),
    layer: [
      {
        data: { values: curve },
        mark: { type: 'line', color: '#2563eb', interpolate: 'step-after' },
        encoding: {
          x: { field: 'recall', ...unit('Recall') },
          y: { field: 'precision', ...unit('Precision') },
          order: { field: 'recall' },
        },
      },
      marker(curve, threshold, 'recall', 'precision', 'Recall', 'Precision'),
    ],
  };
}

/** Precision, recall and F1 at each threshold, with a rule at the chosen one and at 0.5. */
export function thresholdSpec(curve, threshold) {
  const long = curve.flatMap((p) =>
    ['precision', 'recall', 'f1'].map((metric) => ({
      threshold: p.threshold,
      metric: metric === 'f1' ? 'F1' : metric,
      value: p[metric],
    })),
  );
  return {
    ...base(260),
    layer: [
      {
        data: { values: long },
        mark: { type: 'line', interpolate: 'step-before' },
        encoding: {
          x: { field: 'threshold', ...unit('Threshold') },
          y: { field: 'value', ...unit(null) },
          color: { field: 'metric', type: 'nominal', title: null, scale: { range: ['#2563eb', '#16a34a', '#f59e0b'] } },
        },
      },
      {
        data: {
          values: [
            { threshold, rule: 'chosen' },
            { threshold: 0.5, rule: '0.5' },
          ],
        },
        mark: { type: 'rule' },
        encoding: {
          x: { field: 'threshold', type: 'quantitative' },
          strokeDash: {
            field: 'rule',
            type: 'nominal',
            title: 'threshold',
            scale: {
              domain: ['chosen', '0.5'],
              range: [
                [1, 0],
                [4, 4],
              ],
            },
          },
          color: { value: '#dc2626' },
          tooltip: [{ field: 'threshold', type: 'quantitative', format: '.3f' }],
        },
      },
    ],
  };
}
