// History features (ml/tabular/history.ts): lags, means of the previous hours and deviations from
// them over a small hourly series with gaps (an absent hour, a blank, the -200 marker), by hand;
// the same numbers from a served instance's `history`; and the errors naming the field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instanceWithHistory, withHistory } from '../../ml/tabular/history.ts';
import { historyColumns, historyHours } from '../../ml/tabular/historySpec.ts';
import { fitPreprocessing } from '../../ml/tabular/preprocess.ts';
import { instanceInputs, servedRow } from '../../ml/tabular/instances.ts';
import { AIR_QUALITY_SPEC } from '../../ml/tabular/presets/airQuality.ts';
import { validateSpec, withFeatureSet, type DatasetSpec } from '../../ml/tabular/spec.ts';
import { TabularInputError } from '../../ml/tabular/values.ts';

const history = { time: 'at', columns: ['s'], lags: [1, 2], means: [3], deviations: [2] };
const features = historyColumns(history);
const spec: DatasetSpec = {
  name: 'device',
  task: 'regression',
  target: { column: 'y' },
  columns: [
    { name: 'at', type: 'id' },
    { name: 's', type: 'number', missing: [-200] },
    ...features.map((name) => ({ name, type: 'number' as const })),
  ],
  history,
  impute: Object.fromEntries(['s', ...features].map((c) => [c, { strategy: 'median' as const }])),
  features: [{ column: 's', encode: 'number' }, ...features.map((column) => ({ column, encode: 'number' as const }))],
};
const hour = (h: number) => `2004-03-10 ${String(h).padStart(2, '0')}:00:00`;
// 10:00 = 1, 11:00 = 2, 12:00 absent, 13:00 = -200 (missing), 14:00 = 8, 15:00 = '' (blank), 16:00 = 4; given out of order
const series = [
  { at: hour(14), s: '8' },
  { at: hour(10), s: '1' },
  { at: hour(11), s: 2 },
  { at: hour(13), s: '-200' },
  { at: hour(16), s: 4 },
  { at: hour(15), s: '' },
];
const featuresOf = (row: Record<string, unknown>) => Object.fromEntries(features.map((f) => [f, row[f]]));

describe('history features', () => {
  it('names its columns, per column lags then means then deviations, and looks back its longest window', () => {
    assert.deepEqual(features, ['s 1h before', 's 2h before', 's mean of previous 3h', 's minus mean of previous 2h']);
    assert.equal(historyHours(history), 3);
    assert.doesNotThrow(() => validateSpec(spec));
    assert.throws(
      () => validateSpec({ ...spec, columns: spec.columns.slice(0, 3), impute: {} }),
      /history feature needs a number column s 2h before/,
    );
    assert.throws(() => validateSpec({ ...spec, history: { ...history, lags: [0] } }), /whole hours >= 1/);
  });

  it('computes lags, means and deviations over the series, an absent hour, a blank or -200 being a gap', () => {
    const out = withHistory(spec, series);
    assert.deepEqual(
      out.map((r) => r.at),
      series.map((r) => r.at),
      'same rows, same order',
    );
    const at = (h: number) => featuresOf(out.find((r) => r.at === hour(h))!);
    // 10:00: nothing before it
    assert.deepEqual(at(10), {
      's 1h before': null,
      's 2h before': null,
      's mean of previous 3h': null,
      's minus mean of previous 2h': null,
    });
    // 11:00: 1 an hour before; mean of {1}; 2 - 1
    assert.deepEqual(at(11), {
      's 1h before': 1,
      's 2h before': null,
      's mean of previous 3h': 1,
      's minus mean of previous 2h': 1,
    });
    // 13:00 (its own reading -200): 12:00 absent, 11:00 = 2; mean of {2, 1}; no own reading, no deviation
    assert.deepEqual(at(13), {
      's 1h before': null,
      's 2h before': 2,
      's mean of previous 3h': 1.5,
      's minus mean of previous 2h': null,
    });
    // 14:00 = 8: 13:00 missing, 12:00 absent, 11:00 = 2: mean of {2}; the previous 2 hours have none
    assert.deepEqual(at(14), {
      's 1h before': null,
      's 2h before': null,
      's mean of previous 3h': 2,
      's minus mean of previous 2h': null,
    });
    // 16:00 = 4: 15:00 blank, 14:00 = 8, 13:00 missing: mean of {8}; 4 - 8
    assert.deepEqual(at(16), {
      's 1h before': null,
      's 2h before': 8,
      's mean of previous 3h': 8,
      's minus mean of previous 2h': -4,
    });
  });

  it('refuses a time that is no hour and a repeated hour, naming the row', () => {
    assert.throws(
      () => withHistory(spec, [{ at: '2004-03-10 10:30:00', s: 1 }]),
      (e: unknown) =>
        e instanceof TabularInputError && e.column === 'at' && e.row === 0 && /not an hour/.test(e.reason),
    );
    assert.throws(
      () => withHistory(spec, [series[0]!, series[1]!, { at: hour(14), s: 3 }]),
      (e: unknown) => e instanceof TabularInputError && e.column === 'at' && e.row === 2,
    );
  });

  it('gives a served instance the same numbers from its history, newest first, null for an hour without readings', () => {
    // 16:00 as an instance: 15:00 blank, 14:00 = 8, 13:00 = -200
    const served = instanceWithHistory(spec, { s: 4, history: [{ s: null }, { s: 8 }, { s: -200 }] }, ['at', 's'], 0);
    assert.deepEqual(featuresOf(served), at16());
    assert.equal('history' in served, false);
    // 14:00: 13:00 missing, 12:00 without any reading (null), 11:00 = 2
    assert.deepEqual(
      featuresOf(instanceWithHistory(spec, { s: 8, history: [{ s: '-200' }, null, { s: 2 }] }, ['at', 's'], 0)),
      featuresOf(withHistory(spec, series).find((r) => r.at === hour(14))!),
    );
  });

  it('names history, or history.<i>.<column>, when it is missing or malformed', () => {
    const fails = (instance: Record<string, unknown>, column: string, reason: RegExp) =>
      assert.throws(
        () => instanceWithHistory(spec, instance, ['at', 's'], 3),
        (e: unknown) => e instanceof TabularInputError && e.column === column && e.row === 3 && reason.test(e.reason),
      );
    fails({ s: 1 }, 'history', /is required by this model: a list of the 3 previous hours' readings, newest first/);
    fails({ s: 1, history: [{ s: 1 }] }, 'history', /has 1 entries; it must be a list of the 3 previous hours/);
    fails({ s: 1, history: 'yesterday' }, 'history', /is "yesterday"/);
    fails({ s: 1, history: [null, 5, null] }, 'history.1', /not an object of readings or null/);
    fails({ s: 1, history: [null, { s: 'high' }, null] }, 'history.1.s', /not a number/);
    fails({ s: 1, history: [null, null, { t: 2 }] }, 'history.2.t', /not a reading of this model; an entry has s/);
    fails({ s: 1, 's 1h before': 3, history: [null, null, null] }, 's 1h before', /computed from history/);
  });
});

function at16() {
  return featuresOf(withHistory(spec, series).find((r) => r.at === hour(16))!);
}

describe('serving a model with history features', () => {
  const rows = withHistory(spec, series).map((r, i) => ({ ...r, y: i }));
  const fitted = fitPreprocessing(spec, rows);
  const inputs = instanceInputs(fitted);

  it('asks instances for their own columns and history, not the columns computed from it', () => {
    assert.deepEqual(inputs.columns, ['at', 's']);
    assert.equal(inputs.historyHours, 3);
    const row = servedRow(fitted, inputs, { s: 4, history: [null, { s: 8 }, null] }, 0);
    assert.equal(row['s minus mean of previous 2h'], -4);
    assert.throws(
      () => servedRow(fitted, inputs, { s: 4 }, 1),
      (e: unknown) => (e as TabularInputError).column === 'history',
    );
  });

  it('refuses history from a model trained without it, as any column it does not have', () => {
    const old = fitPreprocessing(
      { ...spec, history: undefined, columns: spec.columns.slice(0, 2), impute: {}, features: [spec.features[0]!] },
      rows.filter((r) => !['', '-200'].includes(String((r as Record<string, unknown>).s))),
    );
    assert.throws(
      () => servedRow(old, instanceInputs(old), { s: 4, history: [] }, 0),
      (e: unknown) =>
        e instanceof TabularInputError && e.column === 'history' && /not an input of this model/.test(e.reason),
    );
    assert.deepEqual(servedRow(old, instanceInputs(old), { s: 4 }, 0), { s: 4 });
  });

  it("the air-quality sensors-only set reads the sensors' 168 previous hours, never CO(GT)'s; the all-columns set none", () => {
    assert.equal(withFeatureSet(AIR_QUALITY_SPEC, 'sensors').history, AIR_QUALITY_SPEC.history);
    assert.equal(withFeatureSet(AIR_QUALITY_SPEC, 'all').history, undefined);
    assert.deepEqual(AIR_QUALITY_SPEC.history!.columns.includes('CO(GT)'), false);
    assert.equal(historyHours(AIR_QUALITY_SPEC.history!), 168);
    assert.doesNotThrow(() => validateSpec(AIR_QUALITY_SPEC));
  });
});
