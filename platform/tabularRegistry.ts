// Tabular models in the registry (models.kind = 'tabular'): one version per run, its params the
// dataset spec, the fitted preprocessing and the model. A small model sits inline; a large one (a
// forest) goes to GCS under models/<name>/<version>/model.json and the params hold its object name.
// Registering writes the version, the champion/challenger decision and the run's registration in
// one transaction; a retry after that commit returns the registration recorded then.
// Promoting a version and rolling back (admin) change the production version in one transaction
// each, and every change of production is announced on PRODUCTION_CHANGED_CHANNEL, so the API's
// in-memory models (platform/productionModels.ts) serve the new one on the next request.
import type pg from 'pg';
import { inTransaction } from './postgres.ts';
import type { TabularRegistration, TrialResult } from '../contracts/tabular.ts';
import type { FittedTabular } from '../ml/tabular/evaluate.ts';
import type { TabularModel } from '../ml/tabular/learner.ts';
import type { DatasetSpec } from '../ml/tabular/spec.ts';
import { countPromotion } from './metrics.ts';
import { PRODUCTION_CHANGED_CHANNEL } from './registry.ts';
import type { ObjectStore } from './storage.ts';

export const TABULAR_ENGINE = 'retailflow-tabular';
/** Models whose JSON is longer than this go to GCS rather than into the registry row. */
export const INLINE_MODEL_CHARS = 100_000;

export interface TabularModelParams {
  label: string;
  /** The IANA time zone the label's clock time is in (the spec's versionTimeZone, else UTC). */
  labelTimeZone?: string;
  spec: DatasetSpec;
  preprocessing: FittedTabular['preprocessing'];
  /** The model itself, or the GCS object holding it. */
  model: TabularModel | { object: string };
  trial: Pick<TrialResult, 'trial' | 'learner' | 'params'>;
  /** Binary: the decision threshold chosen on validation predictions (absent: 0.5). */
  threshold?: number;
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

/** The seeds' label of a time, on the clock of `timeZone` (IANA, default UTC): 20261201_213000. */
export function versionLabel(at: Date, timeZone = 'UTC'): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}${parts.month}${parts.day}_${parts.hour}${parts.minute}${parts.second}`;
}

export const modelObjectName = (model: string, version: number) => `models/${model}/${version}/model.json`;

/** A version's fitted preprocessing and model, the model read from GCS when stored there. */
export async function fittedTabular(store: ObjectStore, params: TabularModelParams): Promise<FittedTabular> {
  const model =
    'object' in params.model
      ? (JSON.parse((await store.read(params.model.object)).toString('utf8')) as TabularModel)
      : params.model;
  return {
    preprocessing: params.preprocessing,
    model,
    ...(params.threshold === undefined ? {} : { threshold: params.threshold }),
  };
}

const VERSION_COLUMNS = `version, stage, params, metrics, training_run AS "runId"`;

export async function registerTabularVersion(
  pool: pg.Pool,
  store: ObjectStore,
  next: NewTabularVersion,
  decide: TabularDecision,
): Promise<TabularRegistration> {
  const { registration, promotedNow } = await inTransaction(pool, async (client) => {
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
      return { registration: recorded.registration, promotedNow: false };
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
    const labelTimeZone = next.spec.versionTimeZone ?? 'UTC';
    const label = versionLabel(new Date(), labelTimeZone);
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
      labelTimeZone,
      spec: next.spec,
      preprocessing: next.fitted.preprocessing,
      model,
      trial: next.trial,
      ...(next.fitted.threshold === undefined ? {} : { threshold: next.fitted.threshold }),
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
    if (registration.promoted) await makeProduction(client, next.model, version, 'promote');
    await client.query('UPDATE tabular_runs SET model_version = $2, registration = $3 WHERE run_id = $1', [
      next.runId,
      version,
      JSON.stringify(registration),
    ]);
    return { registration, promotedNow: registration.promoted };
  });
  // Counted once it committed; a retry returns the recorded registration uncounted.
  if (promotedNow) countPromotion('tabular');
  return registration;
}

/** A model's tabular versions, newest first, with their promotion history. */
export async function tabularVersions(pool: pg.Pool, model: string): Promise<ListedTabularVersion[]> {
  const { rows } = await pool.query<ListedTabularVersion>(
    `SELECT ${VERSION_COLUMNS}, created_at AS "createdAt", promoted_at AS "promotedAt", replaced,
       rolled_back_at AS "rolledBackAt"
     FROM model_versions WHERE model = $1 ORDER BY version DESC`,
    [model],
  );
  return rows;
}

export interface ListedTabularVersion extends TabularVersion {
  createdAt: Date;
  /** When it last became production; null if it never did. */
  promotedAt: Date | null;
  /** The production version it replaced when last promoted: what a rollback from it makes production again. */
  replaced: number | null;
  rolledBackAt: Date | null;
}

/** Whether a tabular model of this name is registered (another kind's name is not one). */
export async function tabularModelExists(pool: pg.Pool, model: string): Promise<boolean> {
  const { rowCount } = await pool.query(`SELECT 1 FROM models WHERE name = $1 AND kind = 'tabular'`, [model]);
  return Boolean(rowCount);
}

/** The model's production version, if it has one. */
export async function productionTabular(pool: pg.Pool, model: string): Promise<TabularVersion | undefined> {
  const {
    rows: [row],
  } = await pool.query<TabularVersion>(
    `SELECT ${VERSION_COLUMNS} FROM model_versions v JOIN models m ON m.name = v.model
     WHERE v.model = $1 AND m.kind = 'tabular' AND v.stage = 'production'`,
    [model],
  );
  return row;
}

/**
 * Makes `version` production inside the caller's transaction (the model's row locked) and announces
 * it. A promotion records the version it replaces; a rollback leaves the target's record as it was,
 * so a second rollback goes one promotion further back, and marks the version it leaves.
 */
async function makeProduction(
  client: pg.PoolClient,
  model: string,
  version: number,
  how: 'promote' | 'rollback',
): Promise<number | null> {
  const {
    rows: [current],
  } = await client.query<{ version: number }>(
    `UPDATE model_versions SET stage = 'archived'${how === 'rollback' ? ', rolled_back_at = now()' : ''}
     WHERE model = $1 AND stage = 'production' RETURNING version`,
    [model],
  );
  const replaced = current?.version ?? null;
  await client.query(
    `UPDATE model_versions SET stage = 'production', promoted_at = now(), rolled_back_at = NULL
       ${how === 'promote' ? ', replaced = $3' : ''}
     WHERE model = $1 AND version = $2`,
    how === 'promote' ? [model, version, replaced] : [model, version],
  );
  await client.query('SELECT pg_notify($1, $2)', [PRODUCTION_CHANGED_CHANNEL, JSON.stringify([model])]);
  return replaced;
}

/** What a promotion or rollback did, or why it could not (the API answers 404 or 409 by `outcome`). */
export type ProductionChange =
  | { outcome: 'changed' | 'unchanged'; version: number; replaced: number | null }
  | { outcome: 'unknown_model' }
  | { outcome: 'unknown_version'; version: number }
  /** Rollback only: `from` is not production (null: nothing is) and was not just rolled back. */
  | { outcome: 'not_production'; version: number; production: number | null }
  /** Rollback only: the production version replaced none (the first one promoted). */
  | { outcome: 'nothing_earlier'; version: number };

interface VersionState {
  version: number;
  stage: TabularVersion['stage'];
  replaced: number | null;
  rolledBack: boolean;
}

/** One transaction on the model's locked row: `change` sees the model's versions, or the model is unknown. */
async function changeProduction(
  pool: pg.Pool,
  model: string,
  change: (client: pg.PoolClient, versions: Map<number, VersionState>) => Promise<ProductionChange>,
): Promise<ProductionChange> {
  return inTransaction(pool, async (client) => {
    const { rowCount } = await client.query(`SELECT 1 FROM models WHERE name = $1 AND kind = 'tabular' FOR UPDATE`, [
      model,
    ]);
    const result = rowCount
      ? await change(
          client,
          new Map(
            (
              await client.query<VersionState>(
                `SELECT version, stage, replaced, rolled_back_at IS NOT NULL AS "rolledBack"
                 FROM model_versions WHERE model = $1`,
                [model],
              )
            ).rows.map((v) => [v.version, v]),
          ),
        )
      : ({ outcome: 'unknown_model' } as const);
    return result;
  });
}

/** Makes a version production; promoting the production version again changes nothing. */
export async function promoteTabularVersion(pool: pg.Pool, model: string, version: number): Promise<ProductionChange> {
  const change = await changeProduction(pool, model, async (client, versions) => {
    const target = versions.get(version);
    if (!target) return { outcome: 'unknown_version', version };
    if (target.stage === 'production') return { outcome: 'unchanged', version, replaced: target.replaced };
    return { outcome: 'changed', version, replaced: await makeProduction(client, model, version, 'promote') };
  });
  // Only a promotion that changed the stage counts: promoting the production version again does not.
  if (change.outcome === 'changed') countPromotion('tabular');
  return change;
}

/**
 * Rolls production back from version `from`: the version `from` replaced when it was promoted
 * becomes production again. Naming `from` makes a retry safe: once rolled back, the same request
 * answers `unchanged` with the version it made production, while that one still is.
 */
export function rollBackTabular(pool: pg.Pool, model: string, from: number): Promise<ProductionChange> {
  return changeProduction(pool, model, async (client, versions) => {
    const leaving = versions.get(from);
    if (!leaving) return { outcome: 'unknown_version', version: from };
    const production = [...versions.values()].find((v) => v.stage === 'production');
    if (leaving.stage !== 'production') {
      if (leaving.rolledBack && production && production.version === leaving.replaced)
        return { outcome: 'unchanged', version: production.version, replaced: from };
      return { outcome: 'not_production', version: from, production: production?.version ?? null };
    }
    if (leaving.replaced === null) return { outcome: 'nothing_earlier', version: from };
    await makeProduction(client, model, leaving.replaced, 'rollback');
    return { outcome: 'changed', version: leaving.replaced, replaced: from };
  });
}
