// The decision threshold of a binary classifier, chosen on out-of-fold validation predictions
// (never on test rows): the one that maximizes F1, or the highest that still meets a stated
// recall. Also the ROC and precision-recall curves a page draws, and what each threshold gives.
import { confusion } from './metrics.ts';

export type ThresholdRule = { rule: 'maxF1' } | { rule: 'recall'; atLeast: number };

export interface ThresholdChoice {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
}

/** One point per distinct score, highest first: predicting 1 for every score at or above it. */
export interface CurvePoint {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  /** False positive rate. */
  fpr: number;
  f1: number;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Every threshold worth trying (each distinct score), with its confusion counts. */
export function thresholdCurve(y: readonly number[], p: readonly number[]): CurvePoint[] {
  confusion(y, p); // checks lengths and targets
  const order = p.map((_, i) => i).sort((a, b) => p[b]! - p[a]!);
  const positives = y.reduce((a, b) => a + b, 0);
  const negatives = y.length - positives;
  const points: CurvePoint[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    if (y[order[k]!] === 1) tp++;
    else fp++;
    if (k + 1 < order.length && p[order[k + 1]!] === p[order[k]!]) continue;
    const fn = positives - tp;
    points.push({
      threshold: p[order[k]!]!,
      tp,
      fp,
      tn: negatives - fp,
      fn,
      precision: ratio(tp, tp + fp),
      recall: ratio(tp, positives),
      fpr: ratio(fp, negatives),
      f1: ratio(2 * tp, 2 * tp + fp + fn),
    });
  }
  return points;
}

/**
 * The threshold the rule picks among the scores: maxF1, the highest F1 (ties to the higher
 * threshold, fewer rows flagged); recall, the highest threshold whose recall is at least `atLeast`.
 */
export function chooseThreshold(y: readonly number[], p: readonly number[], rule: ThresholdRule): ThresholdChoice {
  if (rule.rule === 'recall' && !(rule.atLeast > 0 && rule.atLeast <= 1))
    throw new Error(`chooseThreshold: recall atLeast must be in (0, 1], got ${rule.atLeast}`);
  const curve = thresholdCurve(y, p);
  if (!y.includes(1)) throw new Error('chooseThreshold: the validation predictions have no positive row');
  let best: CurvePoint | undefined;
  for (const point of curve) {
    if (rule.rule === 'recall') {
      // highest first: the first that meets the recall is the highest threshold that does
      if (point.recall >= rule.atLeast) {
        best = point;
        break;
      }
    } else if (!best || point.f1 > best.f1) best = point;
  }
  const { threshold, precision, recall, f1 } = best!;
  return { threshold, precision, recall, f1 };
}
