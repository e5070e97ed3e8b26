import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { addDays, datesBetween } from '../../domain/dates.ts';
import { lastWeekEngine, medianWeekdayPromoEngine } from '../../ml/forecast/baselines.ts';
import { backtest } from '../../ml/forecast/backtest.ts';
import { assumedCalendar } from '../../ml/forecast/calendar.ts';
import { engineNamed } from '../../ml/forecast/engines.ts';
import { fastEngine, fitFastPrefixes, MIN_OPEN_DAYS } from '../../ml/forecast/fast.ts';
import { prophetEngine } from '../../ml/forecast/prophet.ts';
import { FEATURE_NAMES, writeFeatures } from '../../ml/forecast/features.ts';
import { forecastMetrics } from '../../ml/forecast/metrics.ts';
import { UnfitSeriesError, type SeriesDay } from '../../ml/forecast/types.ts';
import { armProphet } from '../../platform/prophetWasm.ts';

armProphet();

// A series with known multiplicative effects: what the fit should find again.
const EFFECTS = { level: 5000, sat: 1.25, sun: 0.8, promo: 1.3, promoFri: 1.1, stateHoliday: 0.6, school: 1.05 };
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

function syntheticSeries(
  from: string,
  to: string,
  opts: { noise?: number; seed?: number; closedSundays?: boolean; trendPerYear?: number; weekdaysOnly?: boolean } = {},
): SeriesDay[] {
  const rng = xoroshiro128plus(opts.seed ?? 1);
  const noise = () => (uniformFloat64(rng) - 0.5) * 2 * (opts.noise ?? 0.02);
  return datesBetween(from, to).map((date, i) => {
    const wd = weekday(date);
    const open = !(opts.closedSundays && wd === 0);
    // weekdaysOnly: the weekday profile alone (what Prophet without regressors can represent).
    const promo = !opts.weekdaysOnly && wd >= 1 && wd <= 5 && Math.floor(i / 7) % 2 === 0;
    const stateHoliday = !opts.weekdaysOnly && i % 37 === 5 ? ('a' as const) : ('0' as const);
    const schoolHoliday = !opts.weekdaysOnly && i % 60 < 10;
    let s =
      EFFECTS.level *
      (1 + ((opts.trendPerYear ?? 0) * i) / 365) *
      (wd === 6 ? EFFECTS.sat : 1) *
      (wd === 0 ? EFFECTS.sun : 1);
    if (promo) s *= EFFECTS.promo * (wd === 5 ? EFFECTS.promoFri : 1);
    if (stateHoliday !== '0') s *= EFFECTS.stateHoliday;
    if (schoolHoliday) s *= EFFECTS.school;
    return { date, open, promo, stateHoliday, schoolHoliday, sales: open ? Math.round(s * Math.exp(noise())) : 0 };
  });
}

const coefOf = (coef: number[], name: (typeof FEATURE_NAMES)[number]) => coef[FEATURE_NAMES.indexOf(name)]!;

describe('fast forecast engine', () => {
  it('recovers known weekday, promo and holiday effects', () => {
    const { params } = fastEngine.fit(syntheticSeries('2014-01-01', '2014-12-31'));
    const near = (name: (typeof FEATURE_NAMES)[number], factor: number, tol = 0.03) =>
      assert.ok(
        Math.abs(coefOf(params.coef, name) - Math.log(factor)) < tol,
        `${name}: ${Math.exp(coefOf(params.coef, name)).toFixed(3)} vs ${factor}`,
      );
    near('sat', EFFECTS.sat);
    near('sun', EFFECTS.sun);
    near('promo', EFFECTS.promo);
    near('promo_fri', EFFECTS.promoFri);
    near('state_holiday', EFFECTS.stateHoliday, 0.06);
    near('school_holiday', EFFECTS.school);
    near('tue', 1);
  });

  it('forecasts exactly one point per day asked for, 0 on closed days, with the interval around the point', () => {
    const history = syntheticSeries('2015-01-01', '2015-04-30', { closedSundays: true, noise: 0.1 });
    const model = fastEngine.fit(history);
    const days = assumedCalendar(history, datesBetween('2015-05-01', '2015-05-07'));
    const points = fastEngine.predict(model, days);
    assert.deepEqual(
      points.map((p) => p.date),
      datesBetween('2015-05-01', '2015-05-07'),
    );
    for (const p of points) {
      if (weekday(p.date) === 0) assert.deepEqual([p.forecast, p.lower, p.upper], [0, 0, 0], 'a closed Sunday is 0');
      else assert.ok(p.lower < p.forecast && p.forecast < p.upper && p.forecast > 3000, JSON.stringify(p));
    }
  });

  it("explains each open day: the level times its drivers' factors is 1 + the forecast; closed days have none", () => {
    const history = syntheticSeries('2015-01-01', '2015-04-30', { closedSundays: true, noise: 0.1 });
    const model = fastEngine.fit(history);
    const days = assumedCalendar(history, datesBetween('2015-05-01', '2015-05-14'));
    const points = fastEngine.predict(model, days);
    const drivers = fastEngine.explain!(model, days);
    assert.equal(drivers.length, days.length);
    days.forEach((day, i) => {
      const d = drivers[i];
      if (!day.open) return assert.equal(d, null, `closed ${day.date}`);
      assert.ok(d);
      const product = Object.values(d.factors).reduce((a, f) => a * f, d.level);
      assert.ok(Math.abs(product - (1 + points[i]!.forecast)) < 1e-6 * product, `${day.date}: ${product}`);
      assert.equal(d.factors.promo === 1, !day.promo, `promo on ${day.date} has an effect, and only then`);
      if (weekday(day.date) === 1) assert.equal(d.factors.weekday, 1, 'Monday is the base weekday');
      assert.deepEqual(Object.keys(d.factors).sort(), ['closure', 'holiday', 'month', 'promo', 'season', 'weekday']);
    });
  });

  it('round-trips its parameters through JSON and predicts the same from them', () => {
    const history = syntheticSeries('2015-01-01', '2015-04-30', { noise: 0.1 });
    const model = fastEngine.fit(history);
    const days = assumedCalendar(history, datesBetween('2015-05-01', '2015-05-07'));
    const restored = JSON.parse(JSON.stringify(model)) as typeof model;
    assert.deepEqual(fastEngine.predict(restored, days), fastEngine.predict(model, days));
    assert.ok(JSON.stringify(model.params).length < 4000, 'a few hundred numbers at most');
  });

  it('fits prefixes of one history as it fits each prefix alone', () => {
    const series = syntheticSeries('2015-01-01', '2015-04-30', { noise: 0.1 });
    // Every day is open here, so a prefix's last day sees the same "before closure" either way.
    const lengths = [99, 106, 113, 120];
    fitFastPrefixes(series, lengths).forEach((model, i) =>
      assert.deepEqual(model, fastEngine.fit(series.slice(0, lengths[i]))),
    );
  });

  it('names why a series cannot be fit', () => {
    const series = syntheticSeries('2015-01-01', '2015-04-30');
    const unfit = (s: SeriesDay[], reason: RegExp) =>
      assert.throws(
        () => fastEngine.fit(s),
        (e: unknown) => e instanceof UnfitSeriesError && reason.test(e.message),
      );
    unfit(series.slice(0, MIN_OPEN_DAYS - 1), /too short: 27 open days with sales, at least 28 needed/);
    unfit(
      series.map((d) => ({ ...d, sales: 0 })),
      /no sales in the 120 days/,
    );
    unfit(
      series.map((d, i) => (i >= 60 ? { ...d, open: false, sales: 0 } : d)),
      /closed for the last 60 days/,
    );
  });

  it('beats both baselines in a backtest on a growing, noisy series', () => {
    const series = syntheticSeries('2015-01-01', '2015-05-31', { noise: 0.1, closedSundays: true, trendPerYear: 0.3 });
    const fast = backtest(fastEngine, series);
    const lastWeek = backtest(lastWeekEngine, series);
    const median = backtest(medianWeekdayPromoEngine, series);
    assert.equal(fast.days, 18, '3 folds of 7 days, Sundays closed');
    assert.ok(
      fast.rmspe < lastWeek.rmspe && fast.rmspe < median.rmspe,
      `fast ${fast.rmspe}, last week ${lastWeek.rmspe}, median ${median.rmspe}`,
    );
  });
});

describe('prophet forecast engine (Stan in WASM)', () => {
  const history = syntheticSeries('2015-01-01', '2015-04-30', {
    closedSundays: true,
    noise: 0.02,
    weekdaysOnly: true,
    trendPerYear: 0.2,
  });
  const dates = datesBetween('2015-05-01', '2015-05-07');
  const future = syntheticSeries('2015-01-01', '2015-05-07', {
    closedSundays: true,
    noise: 0,
    weekdaysOnly: true,
    trendPerYear: 0.2,
  }).slice(-7);

  it('forecasts a weekly pattern with trend within 10% on open days, 0 on closed ones, with an interval', () => {
    const model = prophetEngine.fit(history);
    const points = prophetEngine.predict(model, future);
    assert.deepEqual(
      points.map((p) => p.date),
      dates,
    );
    points.forEach((p, i) => {
      const actual = future[i]!;
      if (!actual.open) {
        assert.deepEqual([p.forecast, p.lower, p.upper], [0, 0, 0]);
        return;
      }
      assert.ok(
        Math.abs(p.forecast - actual.sales) / actual.sales < 0.1,
        `${p.date}: ${p.forecast.toFixed(0)} vs ${actual.sales}`,
      );
      assert.ok(p.lower <= p.forecast && p.forecast <= p.upper);
    });
  });

  it('predicts the same from its parameters after a JSON round trip (it refits them)', () => {
    const model = prophetEngine.fit(history);
    const restored = JSON.parse(JSON.stringify(model)) as typeof model;
    const a = prophetEngine.predict(model, future).map((p) => p.forecast);
    const b = prophetEngine.predict(restored, future).map((p) => p.forecast);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6 * Math.max(1, v), `${v} vs ${b[i]}`));
    assert.ok(model.params.days.length <= 366, 'a few hundred numbers');
  });
});

describe('forecast baselines', () => {
  const history = syntheticSeries('2015-03-01', '2015-04-30', { closedSundays: true });

  it('last_week repeats the last open same weekday', () => {
    const days = assumedCalendar(history, ['2015-05-01', '2015-05-03']);
    const [fri, sun] = lastWeekEngine.predict(lastWeekEngine.fit(history), days);
    assert.equal(fri!.forecast, history.find((d) => d.date === '2015-04-24')!.sales);
    assert.equal(sun!.forecast, 0);
  });

  it('median_weekday_promo takes the median of the same weekday and promo flag', () => {
    const model = medianWeekdayPromoEngine.fit(history);
    const monday = { date: '2015-05-04', open: true, promo: true, stateHoliday: '0' as const, schoolHoliday: false };
    const sales = history
      .filter((d) => weekday(d.date) === 1 && d.promo && d.open)
      .map((d) => d.sales)
      .sort((a, b) => a - b);
    const mid = sales.length >> 1;
    const expected = sales.length % 2 ? sales[mid]! : (sales[mid - 1]! + sales[mid]!) / 2;
    assert.equal(medianWeekdayPromoEngine.predict(model, [monday])[0]!.forecast, expected);
  });
});

describe('forecast metrics', () => {
  const pt = (forecast: number, lower = forecast, upper = forecast) => ({ date: '2015-01-01', forecast, lower, upper });

  it('computes RMSPE, MAPE, WAPE, bias and coverage as defined, skipping days without sales where Rossmann does', () => {
    const m = forecastMetrics([100, 200, 0, 50], [pt(110, 90, 120), pt(180, 150, 190), pt(10), pt(50, 40, 60)]);
    // errors: +10 (10%), -20 (10%), +10 on a zero day (ignored by RMSPE/MAPE/coverage), 0 (0%)
    assert.ok(Math.abs(m.rmspe - Math.sqrt((0.01 + 0.01 + 0) / 3)) < 1e-12);
    assert.ok(Math.abs(m.mape - 0.2 / 3) < 1e-12);
    assert.ok(Math.abs(m.wape - 40 / 350) < 1e-12);
    assert.ok(Math.abs(m.bias - 0 / 350) < 1e-12);
    assert.ok(Math.abs(m.coverage - 2 / 3) < 1e-12, 'the 200 lies above its upper bound of 190');
    assert.equal(m.days, 3);
  });

  it('refuses actuals and forecasts of different lengths', () => {
    assert.throws(() => forecastMetrics([1, 2], [pt(1)]), /2 actuals but 1 forecasts/);
  });
});

describe('assumed calendar and engine lookup', () => {
  it('keeps weekly closures, repeats promo from 14 days and school holidays from 7 days before', () => {
    const history = syntheticSeries('2015-03-01', '2015-04-30', { closedSundays: true });
    const days = assumedCalendar(history, datesBetween('2015-05-01', '2015-05-14'));
    for (const d of days) {
      assert.equal(d.open, weekday(d.date) !== 0, `open on ${d.date}`);
      const twoWeeksBack = [...history, ...days].find((h) => h.date === addDays(d.date, -14))!;
      assert.equal(d.promo, twoWeeksBack.promo, `promo on ${d.date}`);
      assert.equal(d.stateHoliday, '0');
    }
  });

  it('takes stated days as given, after the history, and assumes later days from them', () => {
    const history = syntheticSeries('2015-03-01', '2015-04-30', { closedSundays: true });
    const stated = (date: string, source: 'plan' | 'request') => ({
      date,
      open: false,
      promo: true,
      stateHoliday: 'a' as const,
      schoolHoliday: true,
      source,
    });
    const given = new Map([
      ['2015-04-30', stated('2015-04-30', 'plan')],
      ['2015-05-04', stated('2015-05-04', 'plan')],
      ['2015-05-05', stated('2015-05-05', 'request')],
    ]);
    const days = assumedCalendar(history, datesBetween('2015-04-30', '2015-05-19'), given);
    const on = (date: string) => days.find((d) => d.date === date)!;
    assert.equal(on('2015-04-30').source, 'history', 'a day the history has keeps its real calendar');
    assert.deepEqual(on('2015-05-04'), stated('2015-05-04', 'plan'));
    assert.deepEqual(on('2015-05-05'), stated('2015-05-05', 'request'));
    assert.deepEqual(
      days.filter((d) => d.source !== 'assumed').map((d) => d.date),
      ['2015-04-30', '2015-05-04', '2015-05-05'],
    );
    // Promo repeats from 14 days before, school holidays from 7: the stated Monday counts.
    assert.equal(on('2015-05-18').promo, true);
    assert.equal(on('2015-05-11').schoolHoliday, true);
    assert.equal(on('2015-05-11').open, true, 'one closed Monday of four is no weekly closure');
  });

  it('finds engines by name and names the known ones for an unknown one', () => {
    assert.equal(engineNamed('fast'), fastEngine);
    assert.throws(
      () => engineNamed('arima'),
      /unknown forecast engine "arima"; known: fast, prophet, last_week, median_weekday_promo/,
    );
  });
});

describe('forecast features', () => {
  it('computes weekday, month start and month end as Date does, leap years included', () => {
    const days = datesBetween('2015-12-20', '2016-03-05').map((date) => ({
      date,
      open: true,
      promo: false,
      stateHoliday: '0' as const,
      schoolHoliday: false,
    }));
    const out = new Float64Array(FEATURE_NAMES.length);
    days.forEach((day, i) => {
      writeFeatures(days, i, 0, out, 0);
      const d = new Date(`${day.date}T00:00:00Z`);
      const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
      const at = (name: (typeof FEATURE_NAMES)[number]) => out[FEATURE_NAMES.indexOf(name)];
      assert.equal(at('month_start'), d.getUTCDate() <= 3 ? 1 : 0, day.date);
      assert.equal(at('month_end'), d.getUTCDate() > last - 3 ? 1 : 0, day.date);
      assert.equal(at('sun'), d.getUTCDay() === 0 ? 1 : 0, day.date);
      assert.equal(at('sat'), d.getUTCDay() === 6 ? 1 : 0, day.date);
    });
  });
});
