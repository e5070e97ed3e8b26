// Hyperparameter search spaces as plain data, and the trials drawn from them: every point of a
// grid, or n seeded random draws. The same space and seed always give the same trials, so a
// rerun of a search (or a retried activity) tries exactly what the first one did.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { mersenne } from 'pure-rand/generator/mersenne';

export type HyperValue = number | string | boolean;

/** A continuous (or whole-number) range for random search; log draws uniformly in log space. */
export interface HyperRange {
  min: number;
  max: number;
  log?: boolean;
  integer?: boolean;
}

/** Per hyperparameter: a list of values (grid or random) or a range (random only). */
export type SearchSpace = Readonly<Record<string, readonly HyperValue[] | HyperRange>>;

export type Trial = Record<string, HyperValue>;

export type SampleOptions =
  /** Every combination; n, when given, is a bound the grid must not exceed. */
  { kind: 'grid'; n?: number } | { kind: 'random'; n: number; seed: number };

/**
 * The trials of a search. Grid: every combination, the first hyperparameter varying slowest and
 * the last fastest. Random: n draws, each hyperparameter uniform over its list or range.
 */
export function sampleTrials(space: SearchSpace, options: SampleOptions): Trial[] {
  const names = Object.keys(space);
  names.forEach((name) => checkDimension(name, space[name]!));
  if (options.kind === 'grid') {
    const lists = names.map((name) => {
      const dimension = space[name]!;
      if (!isList(dimension))
        throw new Error(
          `sampleTrials: a grid needs a list of values for ${name}, got a range ${JSON.stringify(dimension)}`,
        );
      return dimension;
    });
    const size = lists.reduce((s, values) => s * values.length, 1);
    if (options.n !== undefined && size > options.n)
      throw new Error(`sampleTrials: the grid has ${size} points, more than n = ${options.n}`);
    return Array.from({ length: size }, (_, index) => {
      const picks: HyperValue[] = [];
      for (let d = names.length - 1, rest = index; d >= 0; d--) {
        const values = lists[d]!;
        picks[d] = values[rest % values.length]!;
        rest = Math.floor(rest / values.length);
      }
      return Object.fromEntries(names.map((name, d) => [name, picks[d]!]));
    });
  }
  const { n, seed } = options;
  if (!Number.isInteger(n) || n < 1) throw new Error(`sampleTrials: n must be a whole number of at least 1, got ${n}`);
  if (!Number.isInteger(seed)) throw new Error(`sampleTrials: seed must be a whole number, got ${seed}`);
  // Mersenne Twister, not xoroshiro128+: from the small consecutive seeds a search uses, the
  // latter's first outputs are all near 1 (every learner's first trial at the top of its ranges).
  const rng = mersenne(seed);
  return Array.from({ length: n }, () =>
    Object.fromEntries(
      names.map((name) => [
        name,
        draw(
          space[name]!,
          () => uniformFloat64(rng),
          (a, b) => uniformInt(rng, a, b),
        ),
      ]),
    ),
  );
}

function draw(
  dimension: readonly HyperValue[] | HyperRange,
  uniform: () => number,
  integer: (min: number, max: number) => number,
): HyperValue {
  if (isList(dimension)) return dimension[integer(0, dimension.length - 1)]!;
  const { min, max, log = false } = dimension;
  if (!dimension.integer) {
    if (!log) return min + uniform() * (max - min);
    return Math.exp(Math.log(min) + uniform() * (Math.log(max) - Math.log(min)));
  }
  if (!log) return integer(min, max);
  // Uniform in log space over [min, max + 1), floored: every whole number in range can come up.
  const value = Math.floor(Math.exp(Math.log(min) + uniform() * (Math.log(max + 1) - Math.log(min))));
  return Math.min(max, Math.max(min, value));
}

function checkDimension(name: string, dimension: readonly HyperValue[] | HyperRange): void {
  if (isList(dimension)) {
    if (dimension.length === 0) throw new Error(`sampleTrials: ${name} has an empty list of values`);
    return;
  }
  const { min, max, log, integer } = dimension;
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max)
    throw new Error(`sampleTrials: ${name} needs finite min <= max, got min ${min} and max ${max}`);
  if (log && min <= 0) throw new Error(`sampleTrials: ${name} is on a log scale, so min must be > 0, got ${min}`);
  if (integer && (!Number.isInteger(min) || !Number.isInteger(max)))
    throw new Error(`sampleTrials: ${name} is whole numbers, so min and max must be too, got ${min} and ${max}`);
}

function isList(dimension: readonly HyperValue[] | HyperRange): dimension is readonly HyperValue[] {
  return Array.isArray(dimension);
}
