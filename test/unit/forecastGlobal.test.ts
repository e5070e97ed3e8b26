import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { addDays, datesBetween } from '../../domain/dates.ts';
import { blendPoints, chooseCandidate, DEFAULT_CHOICE, LOWEST_RMSPE } from '../../ml/forecast/choice.ts';
import { explainFast, fitFast, predictFast, type FastParams } from '../../ml/forecast/fast.ts';
import {
  DEFAULT_GLOBAL,
  explainGlobalState,
  fitGlobal,
  globalSeriesState,
  localFit,
  MIN_LEVEL_DAYS,
  predictGlobal,
  type GlobalOptions,
  type GlobalParams,
  type GlobalSeries,
} from '../../ml/forecast/global.ts';
import { calibrateIntervals, logResiduals, seriesScale, withInterval } from '../../ml/forecast/intervals.ts';
import { forecastDates } from '../../ml/forecast/engines.ts';
import { attachGlobalModel, type GlobalVersionParams } from '../../ml/forecast/globalVersion.ts';
import { storeAttributes, type StoreRecord } from '../../ml/forecast/storeFeatures.ts';
import type { SeriesTrainingOptions } from '../../ml/forecast/trainSeries.ts';
import {
  chosenCounts,
  fitRunGlobal,
  trainSeriesWithGlobal,
  type GlobalFitProgress,
} from '../../ml/forecast/trainWithGlobal.ts';
import {
  UnfitSeriesError,
  type CalendarDay,
  type FittedModel,
  type ForecastPoint,
  type SeriesDay,
} from '../../ml/forecast/types.ts';

// A small model, so the tests run in a second; fixed here so tuning the defaults does not move them.
const SMALL: GlobalOptions = {
  ...DEFAULT_GLOBAL,
  hyper: {
    trees: 80,
    learningRate: 0.1,
    maxDepth: null,
    maxLeaves: 15,
    minLeaf: 10,
    rowFraction: 0.5,
    featureFraction: 0.8,
    earlyStoppingRounds: 0,
    validationFraction: 0,
  },
};
const NO_STORE: StoreRecord = {
  storeType: 'a',
  assortment: 'a',
  competitionDistance: 500,
  competitionOpenSinceMonth: null,
  competitionOpenSinceYear: null,
  promo2: false,
  promo2SinceWeek: null,
  promo2SinceYear: null,
  promoInterval: null,
};

function random(seed: number) {
  const rng = xoroshiro128plus(seed);
  return () => uniformFloat64(rng);
}

/**
 * Stores open Monday to Saturday with a weekday profile and promo weeks, each at its own level.
 * `holidays`: days that are state holidays on which stores stay open and sell `holidayLift` times
 * more; `competitorFrom`: the first day a competitor nearby takes `competitorCut` of sales.
 */
function store(
  key: string,
  from: string,
  to: string,
  o: { level: number; seed: number; holidays?: string[]; competitorFrom?: string },
): SeriesDay[] {
  const next = random(o.seed);
  return datesBetween(from, to).map((date) => {
    const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
    const open = wd !== 0;
    const promo = open && wd <= 5 && Math.floor(Date.parse(date) / 86_400_000 / 7) % 2 === 0;
    const holiday = o.holidays?.includes(date) ?? false;
    const competitor = o.competitorFrom !== undefined && date >= o.competitorFrom;
    const mean = o.level * (wd === 6 ? 1.2 : 1) * (promo ? 1.3 : 1) * (holiday ? 1.8 : 1) * (competitor ? 0.75 : 1);
    const sales = open ? Math.round(mean * Math.exp((next() - 0.5) * 0.06)) : 0;
    return { date, open, promo, stateHoliday: holiday ? 'a' : '0', schoolHoliday: false, sales } satisfies SeriesDay;
  });
}

const asCalendar = (days: SeriesDay[]): CalendarDay[] =>
  days.map(({ date, open, promo, stateHoliday, schoolHoliday }) => ({
    date,
    open,
    promo,
    stateHoliday,
    schoolHoliday,
  }));

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

describe('the global engine', () => {
  it("learns from other stores an open holiday that one store's window never showed", () => {
    // 30 stores see open holidays on their own dates inside their windows; the test store saw none.
    const train: GlobalSeries[] = Array.from({ length: 30 }, (_, i) => {
      const holidays = [addDays('2015-02-02', i * 3), addDays('2015-03-10', i * 2)];
      const history = store(`s${i}`, '2015-01-01', '2015-04-30', { level: 3000 + 200 * i, seed: i + 1, holidays });
      return { key: `s${i}`, history, store: storeAttributes(NO_STORE) };
    });
    const full = store('t', '2015-01-01', '2015-05-07', { level: 4200, seed: 99, holidays: ['2015-05-05'] });
    const test: GlobalSeries = { key: 't', history: full.slice(0, 120), store: storeAttributes(NO_STORE) };
    const future = full.slice(120);
    const { model, unfit } = fitGlobal([...train, test], SMALL);
    assert.deepEqual(unfit, []);
    assert.equal(model.params.series, 31);
    const global = predictGlobal(model, test, asCalendar(future));
    const fast = predictFast(fitFast(test.history), asCalendar(future));
    const holiday = future.findIndex((d) => d.date === '2015-05-05');
    const ratio = (p: ForecastPoint[]) => p[holiday]!.forecast / future[holiday]!.sales;
    assert.ok(ratio(global) > 0.85 && ratio(global) < 1.15, `global ${ratio(global)} of the holiday's sales`);
    assert.ok(ratio(fast) < 0.75, `fast ${ratio(fast)}: it cannot know the holiday from its own window`);
    // Closed days (Sunday) are 0 with a 0-wide interval.
    const sunday = future.findIndex((d) => !d.open);
    assert.deepEqual(global[sunday], { date: future[sunday]!.date, forecast: 0, lower: 0, upper: 0 });
  });

  it('uses the store file: a competitor opening in the forecast week lowers the forecast', () => {
    const competing = (since: string): StoreRecord => ({
      ...NO_STORE,
      competitionOpenSinceYear: Number(since.slice(0, 4)),
      competitionOpenSinceMonth: Number(since.slice(5, 7)),
    });
    // Half the stores get a competitor on the first of a month inside their window.
    const train: GlobalSeries[] = Array.from({ length: 40 }, (_, i) => {
      const since = i % 2 ? ['2015-02-01', '2015-03-01', '2015-04-01'][i % 3]! : undefined;
      const history = store(`s${i}`, '2015-01-01', '2015-04-30', {
        level: 2500 + 150 * i,
        seed: i + 7,
        competitorFrom: since,
      });
      return { key: `s${i}`, history, store: storeAttributes(since ? competing(since) : NO_STORE) };
    });
    const full = store('t', '2015-01-05', '2015-05-10', { level: 4000, seed: 5, competitorFrom: '2015-05-01' });
    const cut = full.findIndex((d) => d.date === '2015-05-01');
    const test: GlobalSeries = {
      key: 't',
      history: full.slice(0, cut),
      store: storeAttributes(competing('2015-05-01')),
    };
    const future = full.slice(cut, cut + 7);
    const { model } = fitGlobal([...train, test], SMALL);
    const open = (p: ForecastPoint[]) => p.filter((x) => x.forecast > 0).map((x) => x.forecast);
    const global = mean(open(predictGlobal(model, test, asCalendar(future))));
    const fast = mean(open(predictFast(fitFast(test.history), asCalendar(future))));
    const actual = mean(future.filter((d) => d.open).map((d) => d.sales));
    // The model learns the cut from stores whose windows hold days before and after an opening.
    assert.ok(global < 0.93 * fast, `global ${global.toFixed(0)} against fast ${fast.toFixed(0)}`);
    assert.ok(Math.abs(global / actual - 1) < Math.abs(fast / actual - 1));
    // Without the store file the model cannot tell: the same store, no attributes.
    const blind = mean(open(predictGlobal(model, { ...test, store: null }, asCalendar(future))));
    assert.ok(blind > 1.05 * global, `${blind.toFixed(0)} without the store file, ${global.toFixed(0)} with it`);
  });

  it('the residual form adds to the fast forecast, and needs it', () => {
    const series: GlobalSeries[] = Array.from({ length: 12 }, (_, i) => {
      const history = store(`s${i}`, '2015-01-01', '2015-04-30', { level: 3000 + 100 * i, seed: i + 3 });
      return { key: `s${i}`, history, store: null, local: localFit(history) };
    });
    const { model } = fitGlobal(series, { ...SMALL, form: 'residual' });
    assert.equal(model.params.form, 'residual');
    const next = asCalendar(store('x', '2015-05-01', '2015-05-07', { level: 1, seed: 1 }));
    const global = predictGlobal(model, series[0]!, next);
    const fast = predictFast(series[0]!.local!, next);
    global.forEach((p, i) => {
      if (!next[i]!.open) return assert.equal(p.forecast, 0);
      assert.ok(Math.abs(p.forecast / fast[i]!.forecast - 1) < 0.1, `${p.forecast} against fast ${fast[i]!.forecast}`);
    });
    // Its drivers are fast's, each times what the trees add to it: their product is still 1 + the forecast.
    const drivers = explainGlobalState(model.params, globalSeriesState(series[0]!), next, series[0]!.local);
    const own = explainFast(series[0]!.local!, next);
    drivers.forEach((d, i) => {
      if (!next[i]!.open) return assert.equal(d, null);
      const product = d!.level * Object.values(d!.factors).reduce((a, b) => a * b, 1);
      assert.ok(Math.abs(product / (1 + global[i]!.forecast) - 1) < 1e-9);
      assert.ok(Math.abs(d!.factors.weekday / own[i]!.factors.weekday - 1) < 0.2, "near fast's weekday factor");
    });
    assert.throws(
      () => predictGlobal(model, { ...series[0]!, local: undefined }, next),
      (err: Error) =>
        err instanceof UnfitSeriesError && /s0: the residual form .* needs the series' fast fit/.test(err.message),
    );
    // A series fast cannot fit is left out of the residual fit, by name.
    const { unfit } = fitGlobal([...series, { ...series[1]!, key: 'no-fast', local: undefined }], {
      ...SMALL,
      form: 'residual',
    });
    assert.deepEqual(
      unfit.map((u) => u.key),
      ['no-fast'],
    );
  });

  it('leaves out, by name, series too short to describe themselves', () => {
    const ok = Array.from({ length: 5 }, (_, i) => ({
      key: `s${i}`,
      history: store(`s${i}`, '2015-01-01', '2015-03-31', { level: 3000, seed: i }),
      store: null,
    }));
    const short = {
      key: 'short',
      history: store('short', '2015-03-20', '2015-03-31', { level: 3000, seed: 9 }),
      store: null,
    };
    const { model, unfit } = fitGlobal([...ok, short], SMALL);
    assert.equal(model.params.series, 5);
    assert.deepEqual(
      unfit.map((u) => u.key),
      ['short'],
    );
    assert.match(
      unfit[0]!.reason,
      new RegExp(`short: \\d+ open days with sales in the window, at least ${MIN_LEVEL_DAYS} needed`),
    );
    assert.throws(() => predictGlobal(model, short, []), UnfitSeriesError);
    assert.throws(() => fitGlobal([short], SMALL), /no series of 1 can train the global model/);
  });
});

const pt = (date: string, forecast: number, lower = forecast, upper = forecast): ForecastPoint => ({
  date,
  forecast,
  lower,
  upper,
});

describe('the per-series choice', () => {
  it('blends day by day and refuses days that do not line up', () => {
    assert.deepEqual(blendPoints([pt('2015-01-01', 100, 80, 120)], [pt('2015-01-01', 200, 150, 260)]), [
      pt('2015-01-01', 150, 115, 190),
    ]);
    assert.throws(
      () => blendPoints([pt('2015-01-01', 1)], [pt('2015-01-02', 1)]),
      /day 0 is 2015-01-01 in one and 2015-01-02/,
    );
  });

  it('takes the candidate with the lowest fold RMSPE, and the preferred one on ties or without sales', () => {
    const actual = [100, 100, 0];
    const days = ['2015-01-01', '2015-01-02', '2015-01-03'];
    const at = (...v: number[]) => v.map((f, i) => pt(days[i]!, f));
    const folds = { actual, points: { fast: at(80, 80, 0), global: at(120, 100, 0), blend: at(100, 90, 0) } };
    const choice = chooseCandidate(folds, LOWEST_RMSPE);
    assert.equal(choice.candidate, 'blend');
    assert.ok(Math.abs(choice.rmspe.fast - 0.2) < 1e-12);
    const tie = { actual, points: { fast: at(90, 100, 0), global: at(100, 90, 0), blend: at(90, 100, 0) } };
    assert.equal(chooseCandidate(tie, LOWEST_RMSPE).candidate, 'fast');
    const unsold = { actual: [0, 0, 0], points: { fast: at(9, 9, 9), global: at(0, 0, 0), blend: at(0, 0, 0) } };
    assert.equal(chooseCandidate(unsold, LOWEST_RMSPE).candidate, 'fast');
    assert.equal(chooseCandidate(unsold).candidate, DEFAULT_CHOICE.prefer);
  });

  it('replaces the preferred candidate only when another beats it by the margin', () => {
    const actual = [100, 100];
    const at = (...v: number[]) => v.map((f, i) => pt(`2015-01-0${i + 1}`, f));
    // RMSPE: fast 0.10, global 0.08, blend 0.09.
    const folds = { actual, points: { fast: at(90, 110), global: at(92, 108), blend: at(91, 109) } };
    assert.equal(chooseCandidate(folds, { prefer: 'fast', margin: 0 }).candidate, 'global');
    assert.equal(chooseCandidate(folds, { prefer: 'fast', margin: 0.15 }).candidate, 'global');
    assert.equal(chooseCandidate(folds, { prefer: 'fast', margin: 0.25 }).candidate, 'fast');
    assert.equal(chooseCandidate(folds, { prefer: 'blend', margin: 0.05 }).candidate, 'global');
    assert.equal(chooseCandidate(folds, { prefer: 'blend', margin: 0.15 }).candidate, 'blend');
    assert.throws(
      () => chooseCandidate(folds, { prefer: 'fast', margin: 1 }),
      /choice margin must be in \[0, 1\), got 1/,
    );
  });
});

describe('intervals from out-of-fold residuals', () => {
  it("cover the nominal share of a series' next days, wider for a noisier series", () => {
    const next = random(3);
    const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    // 400 series of 18 fold days, half three times as noisy as the others; then 7 days to come each.
    const spread = (i: number) => (i % 2 ? 0.05 : 0.15);
    const bySeries = Array.from({ length: 400 }, (_, i) => Array.from({ length: 18 }, () => normal() * spread(i)));
    const c = calibrateIntervals(bySeries, 0.9);
    let covered = 0;
    let total = 0;
    bySeries.forEach((r, i) => {
      const s = seriesScale(r, c.pooledScale);
      for (let d = 0; d < 7; d++) {
        const v = normal() * spread(i);
        total++;
        if (v >= s * c.lower && v <= s * c.upper) covered++;
      }
    });
    assert.ok(Math.abs(covered / total - 0.9) < 0.01, `${covered / total} of days to come covered`);
    const narrow = withInterval([pt('2015-01-01', 1000)], bySeries[1]!, c)[0]!;
    const wide = withInterval([pt('2015-01-01', 1000)], bySeries[0]!, c)[0]!;
    assert.ok(wide.upper - wide.lower > 1.8 * (narrow.upper - narrow.lower));
    assert.ok(narrow.lower < 1000 && narrow.upper > 1000);
    assert.deepEqual(withInterval([pt('2015-01-01', 0)], bySeries[0]!, c), [pt('2015-01-01', 0)]);
  });

  it("judge each residual by its series' spread without it, so few fold days still cover the nominal share", () => {
    const next = random(5);
    const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    // 6 fold days a series: standardized by a spread they are part of, the quantiles came out at 93.9%.
    const spread = (i: number) => (i % 2 ? 0.05 : 0.15);
    const bySeries = Array.from({ length: 1000 }, (_, i) => Array.from({ length: 6 }, () => normal() * spread(i)));
    const c = calibrateIntervals(bySeries, 0.95);
    let covered = 0;
    let total = 0;
    bySeries.forEach((r, i) => {
      const s = seriesScale(r, c.pooledScale);
      for (let d = 0; d < 20; d++) {
        const v = normal() * spread(i);
        total++;
        if (v >= s * c.lower && v <= s * c.upper) covered++;
      }
    });
    assert.ok(Math.abs(covered / total - 0.95) < 0.006, `${covered / total} of days to come covered`);
  });

  it('reads residuals on the log scale over days with sales only, and checks the width', () => {
    assert.deepEqual(logResiduals([0, Math.E - 1], [pt('a', 5), pt('b', 0)]), [1]);
    assert.throws(() => calibrateIntervals([[0.1]], 1.5), /interval width must be in \(0, 1\), got 1.5/);
    assert.throws(() => calibrateIntervals([[]], 0.9), /no residuals/);
  });
});

describe('training with a global model: the per-series choice', () => {
  it('registers fast, global or the blend for the series where each is better, servable from JSON and the artifact', () => {
    const options: SeriesTrainingOptions = {
      engine: 'fast',
      asOf: '2015-04-30',
      horizon: 7,
      backtestFolds: 3,
      promotionMargin: 0.05,
      intervalWidth: 0.95,
    };
    // Stores with open holidays of their own, before the folds (2015-04-10 on) the global model never sees.
    const others = Array.from({ length: 30 }, (_, i) => ({
      key: `s${i}`,
      history: store(`s${i}`, '2015-01-01', '2015-04-30', {
        level: 3000 + 150 * i,
        seed: i + 11,
        holidays: [addDays('2015-01-20', i * 2), addDays('2015-02-25', i * 2)],
      }),
      store: storeAttributes(NO_STORE),
    }));
    const series = [
      // Its first holidays fall in its folds: fast never saw one, the global model did.
      {
        key: 'holidays',
        history: store('h', '2015-01-01', '2015-04-30', {
          level: 4000,
          seed: 3,
          holidays: ['2015-04-14', '2015-04-21', '2015-04-28'],
        }),
      },
      // Growing 1.2% a day: fast's trend follows, a model of levels learned on flat stores cannot.
      {
        key: 'growing',
        history: store('g', '2015-01-01', '2015-04-30', { level: 1500, seed: 4 }).map((d, i) => ({
          ...d,
          sales: Math.round(d.sales * Math.exp(0.012 * i)),
        })),
      },
      { key: 'steady', history: store('s', '2015-01-01', '2015-04-30', { level: 3500, seed: 5 }) },
    ].map((s) => ({ ...s, store: storeAttributes(NO_STORE), production: undefined }));
    const progress: GlobalFitProgress[] = [];
    const params = fitRunGlobal([...others, ...series], options, SMALL, undefined, (p) => progress.push(p));
    // Each tree is reported as it is done, of all, over the rows; then the calibration.
    assert.deepEqual(
      progress.map((p) => [p.stage, p.trees, p.of, p.rows]),
      [
        ...Array.from({ length: 80 }, (_, i) => ['fitting', i + 1, 80, params.rows]),
        ['calibrating', 80, 80, params.rows],
      ],
    );
    const artifact = 'gs://bucket/models/global-forecast/run/exec.json';
    const results = trainSeriesWithGlobal(series, options, { artifact, params });
    assert.deepEqual(
      results.map((r) => r.ok && r.candidate),
      ['global', 'fast', 'blend'],
    );
    // A version as stored (JSON, no trees) and served again with its artifact's model forecasts the same days.
    for (const r of results) {
      assert.ok(r.ok);
      const stored = JSON.parse(JSON.stringify(r.model)) as FittedModel;
      assert.equal(stored.engine, r.candidate);
      if (r.candidate === 'fast') continue;
      assert.equal((stored.params as GlobalVersionParams).artifact, artifact);
      assert.throws(() => forecastDates(stored, [], ['2015-05-01']), /needs its global model .* loaded first/);
      const served = attachGlobalModel(stored, JSON.parse(JSON.stringify(params)) as GlobalParams);
      const history = series[results.indexOf(r)]!.history;
      const dates = r.forecast.map((p) => p.date);
      assert.deepEqual(
        forecastDates(served, history, dates, undefined, { explain: true }).map(({ day: _, ...p }) => p),
        r.forecast,
      );
      assert.ok(
        r.forecast.some((p) => p.upper > p.forecast && p.lower < p.forecast),
        'an interval around it',
      );
    }
    assert.deepEqual(chosenCounts(results), { fast: 1, global: 1, blend: 1 });

    // One calibration for the run, made with its model: every version's interval uses it, fast's too
    // (its own residuals' spread times the run's quantiles, in place of the fit's in-sample ones),
    // so series trained one by one, in any order, get the intervals they get trained together.
    const c = params.calibration!;
    assert.ok(c.lower < 0 && c.upper > 0);
    for (const r of results) {
      assert.ok(r.ok);
      if (r.candidate === 'fast') {
        const p = r.model.params as FastParams;
        assert.ok(Math.abs(p.upper / p.lower - c.upper / c.lower) < 1e-9, 'fast widened by the run quantiles');
      } else assert.deepEqual((r.model.params as GlobalVersionParams).interval.calibration, c);
    }
    const alone = [...series].reverse().flatMap((s) => trainSeriesWithGlobal([s], options, { artifact, params }));
    assert.deepEqual(alone.reverse(), results);

    // Drivers of the served global and blend versions, as the trees computed them: level x factors
    // is 1 + the day's forecast, closed days have none, and promo days owe it to promo.
    const blendAt = results.findIndex((r) => r.ok && r.candidate === 'blend');
    for (const i of [0, blendAt]) {
      const r = results[i]!;
      assert.ok(r.ok);
      const served = attachGlobalModel(JSON.parse(JSON.stringify(r.model)) as FittedModel, params);
      const history = series[i]!.history;
      const dates = datesBetween('2015-05-01', '2015-05-14');
      const points = forecastDates(served, history, dates, undefined, { explain: true });
      assert.equal(points.length, 14);
      for (const p of points) {
        if (!p.day.open) {
          assert.equal(p.drivers, null);
          continue;
        }
        const d = p.drivers!;
        const product = d.level * Object.values(d.factors).reduce((a, b) => a * b, 1);
        assert.ok(Math.abs(product - (1 + p.forecast)) < 1e-6 * (1 + p.forecast), `${r.candidate} ${p.date}`);
      }
      const promo = points.filter((p) => p.day.open && p.day.promo).map((p) => p.drivers!.factors.promo);
      const plain = points.filter((p) => p.day.open && !p.day.promo).map((p) => p.drivers!.factors.promo);
      assert.ok(promo.length && plain.length);
      assert.ok(Math.min(...promo) > Math.max(...plain), `${r.candidate}: promo days lifted by promo`);
    }
  });
});
