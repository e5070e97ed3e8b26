// The seed's comparison table of a classification search: per model family x oversampling, the
// trial with the lowest cross-validated log loss, with its recall, precision and F1 at the
// threshold chosen on the validation folds (at 0.5 when the spec chose none), log loss, ROC AUC
// and PR AUC; and the performance gate that holds a production model's test recall and precision
// to its spec's bars.
import { SAMPLING_PARAM } from './oversampling.ts';

export interface ComparedTrial {
  trial: number;
  learner: string;
  params: Record<string, unknown>;
  metrics: Record<string, { mean: number; std: number }>;
}

export interface ComparisonRow {
  learner: string;
  sampling: string;
  /** The trial shown: the pair's lowest log loss. */
  trial: number;
  params: Record<string, unknown>;
  trials: number;
  threshold: number;
  recall: number;
  precision: number;
  f1: number;
  logLoss: number;
  rocAuc: number;
  prAuc: number;
}

const samplingOf = (t: ComparedTrial): string => {
  const s = t.params[SAMPLING_PARAM];
  return typeof s === 'string' ? s : 'none';
};

/** One row per (learner, sampling) pair among classification trials, in order of first appearance. */
export function comparisonTable(trials: readonly ComparedTrial[]): ComparisonRow[] {
  const pairs = new Map<string, ComparedTrial[]>();
  for (const t of trials) {
    if (!t.metrics.logLoss) continue;
    const key = JSON.stringify([t.learner, samplingOf(t)]);
    const list = pairs.get(key);
    if (list) list.push(t);
    else pairs.set(key, [t]);
  }
  return [...pairs].map(([key, list]) => {
    const [learner, sampling] = JSON.parse(key) as [string, string];
    const best = list.reduce((a, b) =>
      b.metrics.logLoss!.mean < a.metrics.logLoss!.mean ||
      (b.metrics.logLoss!.mean === a.metrics.logLoss!.mean && b.trial < a.trial)
        ? b
        : a,
    );
    const m = (name: string) => best.metrics[name]?.mean ?? NaN;
    const tuned = best.metrics.threshold !== undefined;
    return {
      learner,
      sampling,
      trial: best.trial,
      params: best.params,
      trials: list.length,
      threshold: tuned ? m('threshold') : 0.5,
      recall: m(tuned ? 'recallAtThreshold' : 'recall'),
      precision: m(tuned ? 'precisionAtThreshold' : 'precision'),
      f1: m(tuned ? 'f1AtThreshold' : 'f1'),
      logLoss: m('logLoss'),
      rocAuc: m('rocAuc'),
      prAuc: m('prAuc'),
    };
  });
}

export interface GateBars {
  recall: number;
  precision: number;
}

export interface GateVerdict {
  passed: boolean;
  /** Each bar missed, e.g. 'recall 0.31 is below the bar 0.40'. */
  failures: string[];
}

/** Whether test metrics meet the bars; a missing metric fails. */
export function gateVerdict(test: Record<string, number>, bars: GateBars): GateVerdict {
  const failures = (['recall', 'precision'] as const).flatMap((name) => {
    const value = test[name];
    if (value === undefined || !Number.isFinite(value)) return [`${name} is missing from the test metrics`];
    return value < bars[name] ? [`${name} ${value.toFixed(3)} is below the bar ${bars[name].toFixed(3)}`] : [];
  });
  return { passed: failures.length === 0, failures };
}

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '-');
const num = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '-');

/** The table as text, the seed's columns and ours: one line per row. */
export function formatComparison(rows: readonly ComparisonRow[]): string {
  const head = [
    'model',
    'sampling',
    'trials',
    'threshold',
    'recall',
    'precision',
    'F1',
    'log loss',
    'ROC AUC',
    'PR AUC',
  ];
  const body = rows.map((r) => [
    r.learner,
    r.sampling,
    String(r.trials),
    num(r.threshold),
    pct(r.recall),
    pct(r.precision),
    pct(r.f1),
    num(r.logLoss),
    num(r.rocAuc),
    num(r.prAuc),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  return [head, ...body]
    .map((cells) =>
      cells
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
