// The checks every tree learner makes on what it is given: bad input is an error naming the
// field and the value, never a silently odd model.
import type { Features, Task } from '../learner.ts';

/** Every row has `features` finite numbers. */
export function checkRows(x: Features, features: number, field = 'x'): void {
  for (let i = 0; i < x.length; i++) {
    const row = x[i];
    if (!Array.isArray(row) || row.length !== features)
      throw new Error(
        `${field}[${i}] must be an array of ${features} numbers, got ${Array.isArray(row) ? `${row.length}` : typeof row}`,
      );
    for (let j = 0; j < features; j++) {
      const v: unknown = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new Error(`${field}[${i}][${j}] must be a finite number, got ${String(v)}`);
    }
  }
}

export function checkTargets(y: readonly number[], rows: number, task: Task, field = 'y'): void {
  if (y.length !== rows) throw new Error(`${field} has ${y.length} values for ${rows} rows`);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new Error(`${field}[${i}] must be a finite number, got ${String(v)}`);
    if (task === 'binary' && v !== 0 && v !== 1)
      throw new Error(`${field}[${i}] must be 0 or 1 for binary classification, got ${v}`);
  }
}

/** The training rows and targets, and the validation ones when given; returns the number of features. */
export function checkTrainingSet(
  x: Features,
  y: readonly number[],
  task: Task,
  validation?: { x: Features; y: readonly number[] },
): number {
  if (task !== 'regression' && task !== 'binary')
    throw new Error(`task must be 'regression' or 'binary', got ${String(task)}`);
  if (x.length === 0) throw new Error('x must have at least one row, got 0');
  const features = x[0]?.length ?? 0;
  if (features === 0) throw new Error('x[0] must have at least one feature, got 0');
  checkRows(x, features);
  checkTargets(y, x.length, task);
  if (validation) {
    if (validation.x.length === 0) throw new Error('validation.x must have at least one row, got 0');
    checkRows(validation.x, features, 'validation.x');
    checkTargets(validation.y, validation.x.length, task, 'validation.y');
  }
  return features;
}
