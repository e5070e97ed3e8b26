// The checks every learner makes on what it is given, so bad input fails with the learner's
// name, the field and the value instead of a NaN model.
import type { Features, FitOptions, TabularModel, Task } from './learner.ts';

/** Checks a training set: rows of the same width, finite numbers, targets fitting the task. */
export function checkTrainingSet(learner: string, x: Features, y: readonly number[], options: FitOptions): void {
  if (x.length === 0) throw new Error(`${learner}: no training rows`);
  if (y.length !== x.length) throw new Error(`${learner}: ${x.length} rows but ${y.length} targets`);
  checkRows(learner, x, x[0]!.length);
  y.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new Error(`${learner}: target y[${i}] is ${v}, not a finite number`);
    if (options.task === 'binary' && v !== 0 && v !== 1)
      throw new Error(`${learner}: binary target y[${i}] is ${v}, not 0 or 1`);
  });
}

/** Checks rows to predict against the width the model was fitted on. */
export function checkPredictRows(model: TabularModel, x: Features): void {
  checkRows(model.learner, x, model.features);
}

/** Refuses a task the learner does not do. */
export function checkTask(learner: string, task: Task, supported: readonly Task[]): void {
  if (!supported.includes(task))
    throw new Error(`${learner}: task ${task} is not supported (only ${supported.join(', ')})`);
}

/** A hyperparameter that must be a finite number within [min, max] (exclusive where told). */
export function checkNumber(
  learner: string,
  field: string,
  value: unknown,
  bounds: { min?: number; max?: number; minExclusive?: boolean; integer?: boolean },
): number {
  const { min = -Infinity, max = Infinity, minExclusive = false, integer = false } = bounds;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (minExclusive ? value > min : value >= min) &&
    value <= max &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const range = `${minExclusive ? '>' : '>='} ${min}${max < Infinity ? ` and <= ${max}` : ''}`;
    throw new Error(
      `${learner}: ${field} must be a ${integer ? 'whole' : 'finite'} number ${range}, got ${String(value)}`,
    );
  }
  return value;
}

function checkRows(learner: string, x: Features, width: number): void {
  x.forEach((row, i) => {
    if (row.length !== width) throw new Error(`${learner}: row ${i} has ${row.length} features, expected ${width}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new Error(`${learner}: x[${i}][${j}] is ${v}, not a finite number`);
    });
  });
}
