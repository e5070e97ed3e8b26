// `npm run bench:air-quality-features -- --file AirQualityUCI.csv`:
// what candidate features and blends would do for the air-quality model, before any is built into
// the preset and its serving contract. No search: each test month (the 4th of the file on; `early`:
// June - September 2004, where settings are chosen; then all to April 2005, reported) is predicted by a
// forest (100 trees, leaves of 3, half the features), boosting (rate 0.05, depth 6, leaves of 20,
// 80% rows and features) and ridge (alpha 1), each fitted on every earlier month, and by their
// averages (forest+boosting, forest+ridge, all three), with both feature sets, for each variant of
// the features: none added; each input's readings 1, 2 and 3 hours before (`lags`); its mean over
// the previous 24 hours (`mean24`) or 168 hours (`mean168`); its reading 24 hours before
// (`yesterday`); the hour's reading minus the mean of the previous 168 hours (`dev168`); the
// metal-oxide sensors' pairwise ratios (`ratios`). One JSON line of pooled RMSE per variant and months, all in
// bench/results/air-quality-features.json. About 4 min of one core.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AIR_QUALITY_MEASURES, monthOf, parseAirQualityFile } from '../domain/airQuality.ts';
import { fitTabular, predictTabular } from '../ml/tabular/evaluate.ts';
import { regressionMetrics } from '../ml/tabular/metrics.ts';
import { AIR_QUALITY_ANALYZERS, AIR_QUALITY_SENSORS, AIR_QUALITY_TARGET } from '../ml/tabular/presets/airQuality.ts';
import { filterRows, targets } from '../ml/tabular/rows.ts';
import type { ColumnSpec, DatasetSpec, FeatureSpec } from '../ml/tabular/spec.ts';
import { benchResults } from './results.ts';

const { values: args } = parseArgs({
  options: {
    file: { type: 'string' },
  },
});
if (!args.file) throw new Error('--file: the path of AirQualityUCI.csv is required');
const VARIANTS = [
  [],
  ['lags'],
  ['mean24'],
  ['mean168'],
  ['ratios'],
  ['lags', 'mean24'],
  ['yesterday'],
  ['dev168'],
  ['yesterday', 'mean24', 'dev168'],
];

const HOUR_MS = 3_600_000;
const asUtc = (t: string) => new Date(`${t.replace(' ', 'T')}Z`).getTime();
const { readings } = parseAirQualityFile(readFileSync(args.file, 'utf8'));
const byHour = new Map(readings.map(({ reading }) => [asUtc(reading.measuredAt), reading.values]));
const at = (hour: number, measure: string) =>
  byHour.get(hour)?.[AIR_QUALITY_MEASURES.indexOf(measure as never)] ?? null;
const inputs = [...AIR_QUALITY_SENSORS, ...AIR_QUALITY_ANALYZERS];
const metalOxide = AIR_QUALITY_SENSORS.slice(0, 5);
const ratioPairs = metalOxide.flatMap((a, i) => metalOxide.slice(i + 1).map((b) => [a, b] as const));
const text = (v: number | null) => (v === null ? '' : String(v));

/** The rows and spec with the variant's features added. */
function withFeatures(history: ReadonlySet<string>) {
  const means = [...(history.has('mean24') ? [24] : []), ...(history.has('mean168') ? [168] : [])];
  const historyOf = (names: readonly string[]) => [
    ...(history.has('lags') ? [1, 2, 3].flatMap((l) => names.map((n) => `${n} ${l}h before`)) : []),
    ...means.flatMap((w) => names.map((n) => `${n} mean of ${w}h before`)),
    ...(history.has('yesterday') ? names.map((n) => `${n} 24h before`) : []),
    ...(history.has('dev168') ? names.map((n) => `${n} minus mean of 168h before`) : []),
  ];
  const ratios = history.has('ratios') ? ratioPairs.map(([a, b]) => `${a} / ${b}`) : [];

  const rows = readings.map(({ reading }) => {
    const hour = asUtc(reading.measuredAt);
    const d = new Date(hour);
    const row: Record<string, string> = {
      DateTime: reading.measuredAt,
      Hour: String(d.getUTCHours()),
      Weekday: String(((d.getUTCDay() + 6) % 7) + 1),
    };
    AIR_QUALITY_MEASURES.forEach((m, i) => (row[m] = text(reading.values[i] ?? null)));
    for (const n of inputs) {
      if (history.has('lags')) for (const l of [1, 2, 3]) row[`${n} ${l}h before`] = text(at(hour - l * HOUR_MS, n));
      for (const w of means) {
        const seen = Array.from({ length: w }, (_, l) => at(hour - (l + 1) * HOUR_MS, n)).filter((v) => v !== null);
        row[`${n} mean of ${w}h before`] = seen.length ? String(seen.reduce((a, b) => a + b, 0) / seen.length) : '';
      }
      if (history.has('yesterday')) row[`${n} 24h before`] = text(at(hour - 24 * HOUR_MS, n));
      if (history.has('dev168')) {
        const seen = Array.from({ length: 168 }, (_, l) => at(hour - (l + 1) * HOUR_MS, n)).filter((v) => v !== null);
        const now = at(hour, n);
        row[`${n} minus mean of 168h before`] =
          seen.length && now !== null ? String(now - seen.reduce((a, b) => a + b, 0) / seen.length) : '';
      }
    }
    if (ratios.length)
      for (const [a, b] of ratioPairs) {
        const [x, y] = [at(hour, a), at(hour, b)];
        row[`${a} / ${b}`] = x === null || y === null ? '' : String(x / y);
      }
    return row;
  });

  const numbers = [...inputs, ...historyOf(inputs), ...ratios];
  const standardized = (names: readonly string[]): FeatureSpec[] =>
    names.map((column) => ({ column, encode: 'number', scale: 'standardize' }));
  const calendar: FeatureSpec[] = [
    { column: 'Hour', encode: 'number' },
    { column: 'Weekday', encode: 'number' },
  ];
  const spec: DatasetSpec = {
    name: 'air-quality-features',
    task: 'regression',
    target: { column: AIR_QUALITY_TARGET },
    columns: [
      { name: 'DateTime', type: 'id' },
      ...numbers.map((name): ColumnSpec => ({ name, type: 'number' })),
      ...calendar.map((f): ColumnSpec => ({ name: f.column, type: 'number' })),
    ],
    filters: [{ kind: 'dropna', columns: [AIR_QUALITY_TARGET] }],
    impute: Object.fromEntries(numbers.map((m) => [m, { strategy: 'median' }])),
    features: [],
    featureSets: {
      sensors: [...standardized([...AIR_QUALITY_SENSORS, ...historyOf(AIR_QUALITY_SENSORS), ...ratios]), ...calendar],
      all: [...standardized(numbers), ...calendar],
    },
  };
  spec.features = spec.featureSets!.all!;
  return { spec, rows: filterRows(spec, rows).rows };
}

const LEARNERS = {
  forest: { learner: 'forest', params: { trees: 100, minLeaf: 3, featureFraction: 0.5 } },
  boosting: {
    learner: 'boosting',
    params: { learningRate: 0.05, maxDepth: 6, minLeaf: 20, rowFraction: 0.8, featureFraction: 0.8 },
  },
  ridge: { learner: 'ridge', params: { alpha: 1 } },
} as const;
const BLENDS: Record<string, (keyof typeof LEARNERS)[]> = {
  forest: ['forest'],
  boosting: ['boosting'],
  ridge: ['ridge'],
  'forest+boosting': ['forest', 'boosting'],
  'forest+ridge': ['forest', 'ridge'],
  'forest+boosting+ridge': ['forest', 'boosting', 'ridge'],
};

const { report, save } = benchResults('air-quality-features');
for (const variant of VARIANTS)
  for (const range of ['early', 'all']) {
    const { spec, rows: kept } = withFeatures(new Set(variant));
    const months = [...new Set(kept.map((r) => monthOf(String(r.DateTime))))].sort();
    const tested = range === 'early' ? months.slice(3, 7) : months.slice(3);
    const pooled = new Map<string, { y: number[]; p: number[] }>();
    const started = performance.now();
    for (const month of tested) {
      const train = kept.filter((r) => monthOf(String(r.DateTime)) < month);
      const test = kept.filter((r) => monthOf(String(r.DateTime)) === month);
      const y = targets(spec, test);
      for (const set of ['sensors', 'all']) {
        const predicted = Object.fromEntries(
          Object.entries(LEARNERS).map(([name, { learner, params }]) => [
            name,
            predictTabular(fitTabular(spec, train, learner, { features: set, ...params }, 0), test),
          ]),
        );
        for (const [blend, parts] of Object.entries(BLENDS)) {
          const p = y.map((_, i) => parts.reduce((s, part) => s + predicted[part]![i]!, 0) / parts.length);
          const key = `${set} ${blend}`;
          const acc = pooled.get(key) ?? { y: [], p: [] };
          acc.y.push(...y);
          acc.p.push(...p);
          pooled.set(key, acc);
        }
      }
    }
    report({
      features: variant.join('+') || 'none added',
      months: tested,
      rows: pooled.get('all forest')!.y.length,
      pooledRmse: Object.fromEntries(
        [...pooled].map(([key, { y, p }]) => [key, Number(regressionMetrics(y, p).rmse.toFixed(4))]),
      ),
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    });
  }
await save();
