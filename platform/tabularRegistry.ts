// Tabular models in the registry (models.kind = 'tabular'): one version per run, its params the
// dataset spec, the fitted preprocessing and the model. A small model sits inline; a large one (a
// forest) goes to GCS under models/<name>/<version>/model.json and the params hold its object name.
// Registering writes the version, the champion/challenger decision and the run's registration in
// one transaction; a retry after that commit returns the registration recorded then.
import type pg from 'pg';
import type { TabularRegistration, TrialResult } from '../contracts/tabular.ts';
import type { FittedTabular } from '../ml/tabular/evaluate.ts';
import type { TabularModel } from '../ml/tabular/learner.ts';
import type { DatasetSpec } from '../ml/tabular/spec.ts';
import { PRODUCTION_CHANGED_CHANNEL } from './registry.ts';
import type { ObjectStore } from './storage.ts';

export const TABULAR_ENGINE = 'retailflow-tabular';
/** Models whose JSON is longer than this go to GCS rather than into the registry row. */
export const INLINE_MODEL_CHARS = 100_000;

export interface TabularModelParams {
  label: string;
  spec: DatasetSpec;
  preprocessing: FittedTabular['preprocessing'];
  /** The model itself, or the GCS object holding it. */
  model: TabularModel | { object: string };
  trial: Pick<TrialResult, 'trial' | 'learner' | 'params'>;
}

export interface TabularMetrics {
  /** The challenger's metrics on the run's test rows. */
  test: Record<string, number>;
  /** The chosen trial's cross-validation metrics. */
  crossValidation: TrialResult['metrics'];
  trials: number;
}

export interface TabularVersion {
  version: number;
  stage: 'staging' | 'production' | 'archived';
  params: TabularModelParams;
  metrics: TabularMetrics;
  runId: string;
}

export interface NewTabularVersion {
  model: string;
  runId: string;
  fitted: FittedTabular;
  spec: DatasetSpec;
  trial: TabularModelParams['trial'];
  metrics: TabularMetrics;
}

/** The caller's decision once it sees the champion (it scores it on the same test rows). */
export type TabularDecision = (
  champion: TabularVersion | undefined,
) => Promise<Omit<TabularRegistration, 'version' | 'label'>>;

/** The seeds' label of a time: 20261201_213000 (UTC). */
export function versionLabel(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}_${iso.slice(11, 19).replaceAll(':', '')}`;
}

export const modelObjectName = (model: string, version: number) => `models/${model}/${version}/model.json`;

/** A version's fitted preprocessing and model, the model read from GCS when stored there. */
export async function fittedTabular(store: ObjectStore, params: TabularModelParams): Promise<FittedTabular> {
  const model =
    'object' in params.model
      ? (JSON.parse((await store.read(params.model.object)).toString('utf8')) as TabularModel)
      : params.model;
  return { preprocessing: params.preprocessing, model };
}

const VERSION_COLUMNS = `version, stage, params, metrics, training_run AS "runId"`;

export async function registerTabularVersion(
  pool: pg.Pool,
  store: ObjectStore,
  next: NewTabularVersion,
  decide: TabularDecision,
): Promise<TabularRegistration> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO models (name, kind) VALUES ($1, 'tabular') ON CONFLICT (name) DO NOTHING`, [
      next.model,
    ]);
    // Two runs registering at once take turns: each numbers its version after the other's.
    await client.query('SELECT 1 FROM models WHERE name = $1 FOR UPDATE', [next.model]);
    const {
      rows: [recorded],
    } = await client.query<{ registration: TabularRegistration | null }>(
      'SELECT registration FROM tabular_runs WHERE run_id = $1',
      [next.runId],
    );
    if (recorded?.registration) {
      await client.query('ROLLBACK');
      return recorded.registration;
    }
    // The version this run already holds, else the next one.
    const {
      rows: [numbered],
    } = await client.query<{ version: number }>(
      `SELECT COALESCE((SELECT version FROM model_versions WHERE model = $1 AND training_run = $2),
                       (SELECT max(version) FROM model_versions WHERE model = $1) + 1, 1) AS version`,
      [next.model, next.runId],
    );
    const version = numbered!.version;
    const label = versionLabel(new Date());
    const modelJson = JSON.stringify(next.fitted.model);
    let model: TabularModelParams['model'] = next.fitted.model;
    if (modelJson.length > INLINE_MODEL_CHARS) {
      // Written before the commit: a retry overwrites the same object, and one left by a rolled-back try is unused.
      const object = modelObjectName(next.model, version);
      await store.write(object, modelJson, 'application/json');
      model = { object };
    }
    const params: TabularModelParams = {
      label,
      spec: next.spec,
      preprocessing: next.fitted.preprocessing,
      model,
      trial: next.trial,
    };
    await client.query(
      `INSERT INTO model_versions (model, version, stage, engine, params, metrics, training_run)
       VALUES ($1, $2, 'staging', $3, $4, $5, $6)
       ON CONFLICT (model, training_run) DO UPDATE SET params = EXCLUDED.params, metrics = EXCLUDED.metrics`,
      [next.model, version, TABULAR_ENGINE, JSON.stringify(params), JSON.stringify(next.metrics), next.runId],
    );
    const {
      rows: [champion],
    } = await client.query<TabularVersion>(
      `SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model = $1 AND stage = 'production' AND training_run <> $2`,
      [next.model, next.runId],
    );
    const registration: TabularRegistration = { version, label, ...(await decide(champion)) };
    if (registration.promoted) {
      await client.query(`UPDATE model_versions SET stage = 'archived' WHERE model = $1 AND stage = 'production'`, [
        next.model,
      ]);
      await client.query(`UPDATE model_versions SET stage = 'production' WHERE model = $1 AND version = $2`, [
        next.model,
        version,
      ]);
      await client.query('SELECT pg_notify($1, $2)', [PRODUCTION_CHANGED_CHANNEL, JSON.stringify([next.model])]);
    }
    await client.query('UPDATE tabular_runs SET model_version = $2, registration = $3 WHERE run_id = $1', [
      next.runId,
      version,
      JSON.stringify(registration),
    ]);
    await client.query('COMMIT');
    return registration;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** A model's tabular versions, newest first. */
export async function tabularVersions(pool: pg.Pool, model: string): Promise<TabularVersion[]> {
  const { rows } = await pool.query<TabularVersion>(
    `SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model = $1 ORDER BY version DESC`,
    [model],
  );
  return rows;
}
