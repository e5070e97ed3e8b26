// Activities of importAirQuality and airQualityTraining. The import writes a file's readings and
// rejections in one transaction as the whole of that file; the window moves once per run id (its
// record and the move commit together); the statistics object has a fixed name per version; the
// baseline only reads; the scored test month is one row per run id. Each is safe to retry after a
// crash at any line.
import { ApplicationFailure } from '@temporalio/common';
import {
  AIR_QUALITY_LAG,
  AIR_QUALITY_MODEL,
  type AirQualityBaseline,
  type AirQualityMissing,
  type AirQualityTestMonth,
  type AirQualityWindow,
  type ImportAirQualityResult,
} from '../contracts/airQuality.ts';
import { invalidInput } from '../contracts/failures.ts';
import { rejectedRowsQuery, objectOfUri } from '../contracts/imports.ts';
import type { TabularReport } from '../contracts/tabular.ts';
import { AIR_QUALITY_MEASURES, parseAirQualityFile } from '../domain/airQuality.ts';
import { naiveScore } from '../ml/tabular/naiveBaseline.ts';
import { normalizationStatistics } from '../ml/tabular/normalization.ts';
import { AIR_QUALITY_SENSORS, AIR_QUALITY_SPEC } from '../ml/tabular/presets/airQuality.ts';
import { targets } from '../ml/tabular/rows.ts';
import { FEATURE_SET_PARAM } from '../ml/tabular/spec.ts';
import {
  advanceAirQualityWindow,
  airQualityCounts,
  airQualityMissing,
  saveAirQualityFile,
  saveAirQualityTestMonth,
} from '../platform/airQuality.ts';
import { readRowSet } from '../platform/tabularData.ts';
import { tabularVersions } from '../platform/tabularRegistry.ts';
import type { Deps } from './deps.ts';
import { whileHeartbeating } from './heartbeat.ts';

/** Where a version's normalization statistics are: beside its model, as the seed keeps them. */
export const statisticsObject = (model: string, version: number) =>
  `models/${model}/${version}/normalization_stats.json`;

export function airQualityActivities(deps: Deps) {
  return {
    /** The file's readings into air_quality and its bad lines into rejected_rows (source `source`), counted. */
    importAirQualityObject: (uri: string, source: string): Promise<Omit<ImportAirQualityResult, 'importId'>> =>
      whileHeartbeating(async () => {
        const r = objectOfUri(uri, deps.store.bucketName);
        if ('problem' in r) throw invalidInput('uri', r.problem);
        if (!(await deps.store.exists(r.object))) throw invalidInput('uri', `object ${uri} does not exist`);
        const text = (await deps.store.read(r.object)).toString('utf8');
        let parsed;
        try {
          parsed = parseAirQualityFile(text);
        } catch (e) {
          throw invalidInput('uri', `${uri}: ${(e as Error).message}`);
        }
        const written = await saveAirQualityFile(deps.pool, source, parsed.readings, parsed.rejected);
        const missing = Object.fromEntries(
          AIR_QUALITY_MEASURES.map((m, i) => [m, parsed.readings.filter((x) => x.reading.values[i] === null).length]),
        );
        const times = parsed.readings.map((x) => x.reading.measuredAt).sort();
        return {
          source,
          read: parsed.readings.length + parsed.rejected.length,
          loaded: parsed.readings.length,
          written,
          rejected: parsed.rejected.length,
          blank: parsed.blank,
          missing,
          first: times[0] ?? null,
          last: times[times.length - 1] ?? null,
          ...(parsed.rejected.length ? { rejectedRows: rejectedRowsQuery(source) } : {}),
        };
      }),

    /** Checks that the source holds exactly the readings and rejections the import counted. */
    reconcileAirQualityImport: async (source: string, loaded: number, rejected: number): Promise<void> => {
      const held = await airQualityCounts(deps.pool, source);
      if (held.readings !== loaded || held.rejected !== rejected)
        throw ApplicationFailure.nonRetryable(
          `import does not reconcile (was another import of the same file running? rerun it): ${source}: loaded ${loaded}, rejected ${rejected}; Postgres holds ${held.readings} readings and ${held.rejected} rejections`,
          'ReconciliationMismatch',
        );
    },

    /** This run's window, moved on by one month from the last run's (recorded once per run id). */
    advanceAirQualityWindow: (runId: string): Promise<AirQualityWindow | null> =>
      whileHeartbeating(async () => (await advanceAirQualityWindow(deps.pool, AIR_QUALITY_MODEL, runId)) ?? null),

    /** How many rows of the window each way of handling missing values keeps. */
    countAirQualityMissing: (window: AirQualityWindow): Promise<AirQualityMissing> =>
      whileHeartbeating(() => airQualityMissing(deps.pool, window, AIR_QUALITY_SENSORS)),

    /** The version's normalization statistics (its training part's) to models/air-quality/<version>/normalization_stats.json. */
    saveAirQualityStatistics: (version: number, window: AirQualityWindow): Promise<string> =>
      whileHeartbeating(async () => {
        const found = (await tabularVersions(deps.pool, AIR_QUALITY_MODEL)).find((v) => v.version === version);
        if (!found) throw invalidInput('version', `${AIR_QUALITY_MODEL} has no version ${version}`);
        const statistics = {
          model: AIR_QUALITY_MODEL,
          version,
          label: found.params.label,
          labelTimeZone: found.params.labelTimeZone,
          window: { firstMonth: window.firstMonth, testMonth: window.testMonth },
          ...normalizationStatistics(found.params.preprocessing),
        };
        return deps.store.write(
          statisticsObject(AIR_QUALITY_MODEL, version),
          JSON.stringify(statistics, null, 2),
          'application/json',
        );
      }),

    /** CO(GT) at the same hour the day before, scored on the run's test rows (the training mean where that is missing). */
    scoreAirQualityBaseline: (tabularRunId: string): Promise<AirQualityBaseline> =>
      whileHeartbeating(async () => {
        const train = targets(AIR_QUALITY_SPEC, await readRowSet(deps.store, tabularRunId, 'train'));
        const test = await readRowSet(deps.store, tabularRunId, 'test');
        const lag = test.map((r) => {
          const v = r[AIR_QUALITY_LAG];
          return v === undefined || v === null || v === '' ? null : Number(v);
        });
        return naiveScore(targets(AIR_QUALITY_SPEC, test), lag, train.reduce((a, b) => a + b, 0) / train.length);
      }),

    /** The run's test month scored, model beside baseline, with its window, choice and version (once per run id). */
    recordAirQualityTestMonth: (
      runId: string,
      {
        window,
        training,
        baseline,
      }: { window: AirQualityWindow; training: TabularReport; baseline: AirQualityBaseline },
    ): Promise<boolean> =>
      whileHeartbeating(() => {
        const { [FEATURE_SET_PARAM]: featureSet, ...params } = training.best.params;
        const { registration } = training;
        const month: Omit<AirQualityTestMonth, 'recordedAt'> = {
          runId,
          firstMonth: window.firstMonth,
          testMonth: window.testMonth,
          advanced: window.advanced,
          trainRows: training.train,
          testRows: training.test,
          version: registration.version,
          label: registration.label,
          promoted: registration.promoted,
          learner: training.best.learner,
          featureSet: typeof featureSet === 'string' ? featureSet : null,
          params,
          model: { rmse: registration.metrics.rmse!, mae: registration.metrics.mae! },
          baseline: { rmse: baseline.rmse, mae: baseline.mae, fallbacks: baseline.fallbacks },
        };
        return saveAirQualityTestMonth(deps.pool, AIR_QUALITY_MODEL, month);
      }),
  };
}

export type AirQualityActivities = ReturnType<typeof airQualityActivities>;
