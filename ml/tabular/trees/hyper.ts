// Hyperparameters as given by a trial, checked against the learner's rules: an unknown name or a
// value out of range is an error naming it, and missing ones take the learner's defaults.

type Rule = (value: unknown) => string | null;

export function resolveHyper<H extends object>(
  learner: string,
  defaults: H,
  given: Partial<H>,
  rules: { [K in keyof H]: Rule },
): H {
  for (const key of Object.keys(given))
    if (!(key in rules)) throw new Error(`${learner}: unknown hyperparameter "${key}"`);
  const hyper = { ...defaults, ...given };
  for (const [key, rule] of Object.entries<Rule>(rules)) {
    const value = (hyper as Record<string, unknown>)[key];
    const expected = rule(value);
    if (expected) throw new Error(`${learner}: ${key} must be ${expected}, got ${JSON.stringify(value)}`);
  }
  return hyper;
}

export const integer =
  (min: number, nullable = false): Rule =>
  (v) =>
    (nullable && v === null) || (Number.isInteger(v) && (v as number) >= min)
      ? null
      : `an integer >= ${min}${nullable ? ' or null (no limit)' : ''}`;

/** A number in (low, high]: `lowOpen` false makes it [low, high]. */
export const number =
  (low: number, high: number, lowOpen = false): Rule =>
  (v) =>
    typeof v === 'number' && (lowOpen ? v > low : v >= low) && v <= high
      ? null
      : `a number in ${lowOpen ? '(' : '['}${low}, ${high}]`;

export const oneOf =
  (...values: readonly unknown[]): Rule =>
  (v) =>
    values.includes(v) ? null : `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;

/** null: no limit. */
export const limit = (v: number | null): number => v ?? Infinity;
