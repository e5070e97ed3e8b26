// The UCI Air Quality format: the first lines of the real AirQualityUCI.csv as a fixture (CRLF, `;`,
// decimal commas, -200, two empty trailing fields, `;`-only lines at the end), lines that cannot be
// read rejected with their reason, and the generator writing the same format with the real file's shape.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  AIR_QUALITY_HEADER,
  AIR_QUALITY_MEASURES,
  nextMonth,
  parseAirQualityFile,
  parseAirQualityLine,
  pooledTestMonths,
} from '../../domain/airQuality.ts';
import { naiveScore } from '../../ml/tabular/naiveBaseline.ts';
import { periodSplit } from '../../ml/tabular/split.ts';
import { generateAirQuality } from '../../scripts/data/airQualityGenerator.ts';

const fixture = readFileSync(path.join(import.meta.dirname, '../fixtures/air-quality/AirQualityUCI-head.csv'), 'utf8');
const column = (name: string) => AIR_QUALITY_MEASURES.indexOf(name as never);

describe('AirQualityUCI.csv', () => {
  it('reads the real file: decimal commas, -200 as missing, the trailing empty fields and ;-only lines', () => {
    const parsed = parseAirQualityFile(fixture);
    assert.equal(parsed.readings.length, 11);
    assert.equal(parsed.rejected.length, 0);
    assert.equal(parsed.blank, 2);
    const first = parsed.readings[0]!;
    assert.equal(first.line, 2);
    assert.deepEqual(first.reading, {
      measuredAt: '2004-03-10 18:00:00',
      values: [2.6, 1360, 150, 11.9, 1046, 166, 1056, 113, 1692, 1268, 13.6, 48.9, 0.7578],
    });
    const three = parsed.readings.find((r) => r.reading.measuredAt === '2004-03-11 03:00:00')!.reading;
    assert.equal(three.values[column('NOx(GT)')], null);
    assert.equal(three.values[column('NO2(GT)')], null);
    assert.equal(three.values[column('T')], 10.3);
    const four = parsed.readings[10]!.reading;
    assert.equal(four.measuredAt, '2004-03-11 04:00:00');
    assert.equal(four.values[column('CO(GT)')], null);
    assert.equal(four.values[column('PT08.S1(CO)')], 1011);
  });

  it('rejects what it cannot read, naming the column and value, and a second reading of an hour', () => {
    const good = '10/03/2004;18.00.00;2,6;1360;150;11,9;1046;166;1056;113;1692;1268;13,6;48,9;0,7578;;';
    const cases: [string, RegExp][] = [
      [good.replace('10/03/2004', '31/02/2004'), /^Date: "31\/02\/2004" 2004-02-31 is not a real calendar date$/],
      [good.replace('10/03/2004', '2004-03-10'), /^Date: "2004-03-10" is not dd\/mm\/yyyy$/],
      [good.replace('18.00.00', '18:00:00'), /^Time: "18:00:00" is not HH.MM.SS$/],
      [good.replace('18.00.00', '24.00.00'), /^Time: "24.00.00" is not HH.MM.SS$/],
      [good.replace('2,6', '2.6'), /^CO\(GT\): "2.6" is not a number with a decimal comma \(-200 for missing\)$/],
      [good.replace(';48,9;', ';;'), /^RH: "" is not a number/],
      [good.replace(';0,7578;;', ''), /^has 14 non-empty fields, expected the 15 of /],
      [`${good}x;`, /^has 16 non-empty fields, expected the 15 of Date;Time;CO\(GT\)/],
    ];
    for (const [line, reason] of cases) {
      const parsed = parseAirQualityLine(line);
      assert.ok('reason' in parsed, line);
      assert.match(parsed.reason, reason, line);
    }
    const text = `${AIR_QUALITY_HEADER}\n${good}\n${cases[0]![0]}\n${good.replace('2,6', '3,1')}\n\n`;
    const parsed = parseAirQualityFile(text);
    assert.equal(parsed.readings.length, 1);
    assert.deepEqual(
      parsed.rejected.map((r) => [r.line, r.reason]),
      [
        [3, 'Date: "31/02/2004" 2004-02-31 is not a real calendar date'],
        [4, 'the hour 2004-03-10 18:00:00 is already read at line 2'],
      ],
    );
    assert.equal(parsed.rejected[1]!.raw, good.replace('2,6', '3,1'));
    assert.equal(parsed.blank, 1);
  });

  it('refuses a file whose header is not the real one, saying what it must be', () => {
    assert.throws(() => parseAirQualityFile('Date,Time,CO(GT)\n'), {
      message: `the header must be ${AIR_QUALITY_HEADER}, got "Date,Time,CO(GT)"`,
    });
  });

  it('generates the real format and shape: 9,357 hours from 10/03/2004 18.00.00, gaps of -200, ;-only lines at the end', () => {
    const text = generateAirQuality({ seed: 7 });
    assert.equal(text, generateAirQuality({ seed: 7 }), 'deterministic by seed');
    assert.ok(text.startsWith(`${AIR_QUALITY_HEADER}\r\n10/03/2004;18.00.00;`));
    assert.ok(text.endsWith(`\r\n${';'.repeat(16)}\r\n`));
    const parsed = parseAirQualityFile(text);
    assert.equal(parsed.readings.length, 9357);
    assert.equal(parsed.rejected.length, 0);
    assert.equal(parsed.blank, 114);
    assert.equal(parsed.readings.at(-1)!.reading.measuredAt, '2005-04-04 14:00:00');
    const missingShare = (name: string) =>
      parsed.readings.filter((r) => r.reading.values[column(name)] === null).length / parsed.readings.length;
    assert.ok(missingShare('CO(GT)') > 0.08 && missingShare('CO(GT)') < 0.3, `CO(GT) ${missingShare('CO(GT)')}`);
    assert.ok(missingShare('NMHC(GT)') > 0.8, `NMHC(GT) ${missingShare('NMHC(GT)')}`);
    assert.ok(missingShare('PT08.S1(CO)') > 0.01 && missingShare('PT08.S1(CO)') < 0.1);
    // CO follows traffic: the evening peak above the small hours, weekdays above Sundays
    const meanCo = (keep: (at: Date) => boolean) => {
      const v = parsed.readings
        .filter((r) => keep(new Date(`${r.reading.measuredAt.replace(' ', 'T')}Z`)))
        .map((r) => r.reading.values[0])
        .filter((x): x is number => x !== null);
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    assert.ok(meanCo((d) => d.getUTCHours() === 19) > 2 * meanCo((d) => d.getUTCHours() === 3));
    assert.ok(meanCo((d) => d.getUTCDay() === 3) > 1.3 * meanCo((d) => d.getUTCDay() === 0));
  });

  it('counts months on, splits rows by period and scores a carried-forward baseline', () => {
    assert.equal(nextMonth('2004-12'), '2005-01');
    assert.equal(nextMonth('2004-03'), '2004-04');
    const times = ['2004-03-31 23:00:00', '2004-04-01 00:00:00', '2004-05-01 00:00:00', '2004-02-01 00:00:00'];
    assert.deepEqual(
      periodSplit(times, {
        trainFrom: '2004-03-01 00:00:00',
        testFrom: '2004-04-01 00:00:00',
        testTo: '2004-05-01 00:00:00',
      }),
      { train: [0], test: [1] },
    );
    assert.throws(
      () => periodSplit(times, { testFrom: '2004-06-01 00:00:00', testTo: '2004-07-01 00:00:00' }),
      /no row from 2004-06-01 00:00:00 to before 2004-07-01 00:00:00 to test on/,
    );
    const score = naiveScore([1, 2, 4], [1, null, 2], 3);
    assert.deepEqual(score, { rmse: Math.sqrt(5 / 3), mae: 1, rows: 3, fallbacks: 1 });
  });
});

describe('pooledTestMonths', () => {
  const month = (testMonth: string, testRows: number, model: number, baseline: number) => ({
    testMonth,
    testRows,
    model: { rmse: model, mae: model / 2 },
    baseline: { rmse: baseline, mae: baseline / 2 },
  });

  it('pools the months as one test set by their rows, each month once by its latest run (listed first)', () => {
    // June retrained: its latest run (first in the list) counts, the older one not
    const pooled = pooledTestMonths([
      month('2004-06', 300, 0.5, 1.5),
      month('2004-06', 300, 9, 9),
      month('2004-05', 100, 1, 2),
    ])!;
    assert.deepEqual([pooled.months, pooled.rows], [['2004-05', '2004-06'], 400]);
    // sqrt((100 * 1^2 + 300 * 0.5^2) / 400) and (100 * 0.5 + 300 * 0.25) / 400
    assert.ok(Math.abs(pooled.model.rmse - Math.sqrt(175 / 400)) < 1e-12);
    assert.ok(Math.abs(pooled.model.mae - 125 / 400) < 1e-12);
    assert.ok(Math.abs(pooled.baseline.rmse - Math.sqrt((400 + 300 * 2.25) / 400)) < 1e-12);
    assert.ok(Math.abs(pooled.baseline.mae - (100 + 225) / 400) < 1e-12);
  });

  it('is null without a month', () => {
    assert.equal(pooledTestMonths([]), null);
  });
});
