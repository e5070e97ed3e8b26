// Air quality in Postgres (migration 012): the hourly readings of an imported file, written with its
// rejections in one transaction as the whole of that file (a rerun writes nothing new, a changed
// file leaves exactly its lines now), and the training window's position, moved by one run at a
// time in one transaction with the run's record, so a retried run moves it once; and each run's
// scored test month, one row per run.
import type { AirQualityMissing, AirQualityTestMonth, AirQualityWindow } from '../contracts/airQuality.ts';
import {
  AIR_QUALITY_MEASURES,
  monthStart,
  nextMonth,
  type AirQualityMeasure,
  type AirQualityReading,
} from '../domain/airQuality.ts';
import type { Rejection } from '../domain/salesBatch.ts';
import type pg from 'pg';
import { inTransaction, type Pool } from './postgres.ts';
import { saveRejections } from './rejections.ts';

/** The table's column of each of the file's measurements. */
const COLUMN_OF: Readonly<Record<AirQualityMeasure, string>> = {
  'CO(GT)': 'co_gt',
  'PT08.S1(CO)': 'pt08_s1_co',
  'NMHC(GT)': 'nmhc_gt',
  'C6H6(GT)': 'c6h6_gt',
  'PT08.S2(NMHC)': 'pt08_s2_nmhc',
  'NOx(GT)': 'nox_gt',
  'PT08.S3(NOx)': 'pt08_s3_nox',
  'NO2(GT)': 'no2_gt',
  'PT08.S4(NO2)': 'pt08_s4_no2',
  'PT08.S5(O3)': 'pt08_s5_o3',
  T: 't',
  RH: 'rh',
  AH: 'ah',
};
const MEASURE_COLUMNS = AIR_QUALITY_MEASURES.map((m) => COLUMN_OF[m]);
const BATCH = 2_000;

/**
 * The file's readings and rejections under `source`, replacing what the source held: its readings
 * of hours the file no longer has and its old rejections go. Returns the rows added or changed.
 */
export async function saveAirQualityFile(
  pool: Pool,
  source: string,
  readings: { line: number; reading: AirQualityReading }[],
  rejected: Rejection[],
): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query('DELETE FROM air_quality WHERE source = $1 AND measured_at <> ALL($2::timestamp[])', [
      source,
      readings.map((r) => r.reading.measuredAt),
    ]);
    let written = 0;
    for (let i = 0; i < readings.length; i += BATCH) {
      const batch = readings.slice(i, i + BATCH);
      const columns = MEASURE_COLUMNS.map((_, c) => batch.map((r) => r.reading.values[c] ?? null));
      const result = await client.query(
        `INSERT INTO air_quality (measured_at, source, line, ${MEASURE_COLUMNS.join(', ')})
         SELECT * FROM unnest($1::timestamp[], $2::text[], $3::int[], ${MEASURE_COLUMNS.map((_, c) => `$${c + 4}::float8[]`).join(', ')})
         ON CONFLICT (measured_at) DO UPDATE SET source = EXCLUDED.source, line = EXCLUDED.line,
           ${MEASURE_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, loaded_at = now()
         WHERE (air_quality.source, air_quality.line, ${MEASURE_COLUMNS.map((c) => `air_quality.${c}`).join(', ')})
           IS DISTINCT FROM (EXCLUDED.source, EXCLUDED.line, ${MEASURE_COLUMNS.map((c) => `EXCLUDED.${c}`).join(', ')})`,
        [batch.map((r) => r.reading.measuredAt), batch.map(() => source), batch.map((r) => r.line), ...columns],
      );
      written += result.rowCount ?? 0;
    }
    await client.query('DELETE FROM rejected_rows WHERE source = $1', [source]);
    await saveRejections(client, source, rejected);
    return written;
  });
}

/** Readings and rejections a source holds now, for reconciling an import's counts. */
export async function airQualityCounts(pool: Pool, source: string): Promise<{ readings: number; rejected: number }> {
  const { rows } = await pool.query<{ readings: number; rejected: number }>(
    `SELECT (SELECT count(*)::int FROM air_quality WHERE source = $1) AS readings,
            (SELECT count(*)::int FROM rejected_rows WHERE source = $1) AS rejected`,
    [source],
  );
  return rows[0]!;
}

/** The months that have a CO(GT) reading, in order ('YYYY-MM'). */
export async function airQualityMonths(db: Pool | pg.PoolClient): Promise<string[]> {
  const { rows } = await db.query<{ month: string }>(
    `SELECT DISTINCT to_char(measured_at, 'YYYY-MM') AS month FROM air_quality WHERE co_gt IS NOT NULL ORDER BY 1`,
  );
  return rows.map((r) => r.month);
}

/**
 * The run's window: the one it recorded, or the window moved on by one month (the first run: the
 * first two months to train, the third to test), recorded with the move in one transaction. With no
 * month after the last one tested, the window stays and the note says so. Undefined when the data
 * has fewer than three months.
 */
export async function advanceAirQualityWindow(
  pool: Pool,
  model: string,
  runId: string,
): Promise<AirQualityWindow | undefined> {
  return inTransaction(pool, async (client) => {
    // Runs of the model take turns: each moves the window the last one left.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`air-quality-window:${model}`]);
    const {
      rows: [recorded],
    } = await client.query<AirQualityWindow>(
      `SELECT first_month AS "firstMonth", test_month AS "testMonth", advanced, note FROM air_quality_runs WHERE run_id = $1`,
      [runId],
    );
    if (recorded) {
      return recorded;
    }
    const months = await airQualityMonths(client);
    const {
      rows: [state],
    } = await client.query<{ firstMonth: string; testMonth: string }>(
      `SELECT first_month AS "firstMonth", test_month AS "testMonth" FROM air_quality_window WHERE model = $1 FOR UPDATE`,
      [model],
    );
    let window: AirQualityWindow;
    if (!state) {
      if (months.length < 3) {
        return undefined;
      }
      window = {
        firstMonth: months[0]!,
        testMonth: months[2]!,
        advanced: true,
        note: `first window: training on ${months[0]} and ${months[1]}, testing on ${months[2]}`,
      };
    } else {
      const next = months.find((m) => m > state.testMonth);
      window = next
        ? {
            ...state,
            testMonth: next,
            advanced: true,
            note: `${state.testMonth} added to training; testing on ${next}`,
          }
        : {
            ...state,
            advanced: false,
            note: `no month after ${state.testMonth} yet: retrained on the same window (testing on ${state.testMonth})`,
          };
    }
    await client.query(
      `INSERT INTO air_quality_window (model, first_month, test_month) VALUES ($1, $2, $3)
       ON CONFLICT (model) DO UPDATE SET first_month = EXCLUDED.first_month, test_month = EXCLUDED.test_month, updated_at = now()`,
      [model, window.firstMonth, window.testMonth],
    );
    await client.query(
      `INSERT INTO air_quality_runs (run_id, model, first_month, test_month, advanced, note) VALUES ($1, $2, $3, $4, $5, $6)`,
      [runId, model, window.firstMonth, window.testMonth, window.advanced, window.note],
    );
    return window;
  });
}

/** How many rows of the window each way of handling missing values keeps (see AirQualityMissing). */
export async function airQualityMissing(
  pool: Pool,
  window: AirQualityWindow,
  sensors: readonly AirQualityMeasure[],
): Promise<AirQualityMissing> {
  const present = (names: readonly AirQualityMeasure[]) =>
    names.map((m) => `${COLUMN_OF[m]} IS NOT NULL`).join(' AND ');
  const allInputs = AIR_QUALITY_MEASURES.filter((m) => m !== 'CO(GT)');
  const { rows } = await pool.query<AirQualityMissing>(
    `SELECT count(*)::int AS rows,
            count(*) FILTER (WHERE co_gt IS NOT NULL)::int AS "withTarget",
            count(*) FILTER (WHERE co_gt IS NOT NULL AND ${present(sensors)})::int AS "completeSensors",
            count(*) FILTER (WHERE co_gt IS NOT NULL AND ${present(allInputs)})::int AS "completeAll"
     FROM air_quality WHERE measured_at >= $1::timestamp AND measured_at < $2::timestamp`,
    [monthStart(window.firstMonth), monthStart(nextMonth(window.testMonth))],
  );
  return rows[0]!;
}

/** The run's scored test month, once per run id: true when this call wrote it (a retry writes nothing). */
export async function saveAirQualityTestMonth(
  pool: Pool,
  model: string,
  m: Omit<AirQualityTestMonth, 'recordedAt'>,
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `INSERT INTO air_quality_test_months (run_id, model, first_month, test_month, advanced, train_rows, test_rows,
       version, label, promoted, learner, feature_set, params, rmse, mae, baseline_rmse, baseline_mae, baseline_fallbacks)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
     ON CONFLICT (run_id) DO NOTHING`,
    [
      m.runId,
      model,
      m.firstMonth,
      m.testMonth,
      m.advanced,
      m.trainRows,
      m.testRows,
      m.version,
      m.label,
      m.promoted,
      m.learner,
      m.featureSet,
      JSON.stringify(m.params),
      m.model.rmse,
      m.model.mae,
      m.baseline.rmse,
      m.baseline.mae,
      m.baseline.fallbacks,
    ],
  );
  return rowCount === 1;
}

/** The model's scored test months, latest runs first. */
export async function airQualityTestMonths(pool: Pool, model: string, limit: number): Promise<AirQualityTestMonth[]> {
  const { rows } = await pool.query<AirQualityTestMonth>(
    `SELECT run_id AS "runId", first_month AS "firstMonth", test_month AS "testMonth", advanced,
            train_rows AS "trainRows", test_rows AS "testRows", version, label, promoted, learner,
            feature_set AS "featureSet", params,
            json_build_object('rmse', rmse, 'mae', mae) AS model,
            json_build_object('rmse', baseline_rmse, 'mae', baseline_mae, 'fallbacks', baseline_fallbacks) AS baseline,
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "recordedAt"
     FROM air_quality_test_months WHERE model = $1
     ORDER BY created_at DESC, run_id DESC LIMIT $2`,
    [model, limit],
  );
  return rows;
}
