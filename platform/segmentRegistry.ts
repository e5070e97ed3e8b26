// The segmentation model in the registry: its versions (one per run, in model_versions under
// SEGMENTATION_MODEL), every customer's segment per version (customer_segments), and promotion.
// Registering a run's version writes the version, its assignments, the decision and the run's
// registration in one transaction; a retry after that commit returns the registration recorded
// then, so a kill -9 anywhere registers once and compares against the production it first saw.
import type pg from 'pg';
import {
  SEGMENTATION_ENGINE,
  SEGMENTATION_MODEL,
  type SegmentationMetrics,
  type SegmentationModelParams,
  type SegmentationRegistration,
} from '../contracts/segmentation.ts';
import type { CustomerFeatures } from '../ml/segmentation/features.ts';
import type { Assignment } from '../ml/segmentation/matching.ts';
import { countPromotion } from './metrics.ts';
import { PRODUCTION_CHANGED_CHANNEL } from './registry.ts';

export interface SegmentationVersion {
  version: number;
  stage: 'staging' | 'production' | 'archived';
  params: SegmentationModelParams;
  metrics: SegmentationMetrics;
  runId: string;
  createdAt: Date;
}

/** What the caller decides once it sees production: whether to promote and what changed. */
export type PromotionDecision = (
  production: (SegmentationVersion & { assignments: Assignment[] }) | undefined,
) => Omit<SegmentationRegistration, 'version'>;

export interface NewSegmentationVersion {
  runId: string;
  params: SegmentationModelParams;
  metrics: SegmentationMetrics;
  assignments: Assignment[];
}

const VERSION_COLUMNS = `version, stage, params, metrics, training_run AS "runId", created_at AS "createdAt"`;

export async function registerSegmentationVersion(
  pool: pg.Pool,
  next: NewSegmentationVersion,
  decide: PromotionDecision,
): Promise<SegmentationRegistration> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO models (name, kind) VALUES ($1, 'segmentation') ON CONFLICT (name) DO NOTHING`, [
      SEGMENTATION_MODEL,
    ]);
    // Two runs registering at once take turns: each numbers its version after the other's.
    await client.query('SELECT 1 FROM models WHERE name = $1 FOR UPDATE', [SEGMENTATION_MODEL]);
    const {
      rows: [recorded],
    } = await client.query<{ registration: SegmentationRegistration | null }>(
      'SELECT registration FROM segmentation_runs WHERE run_id = $1',
      [next.runId],
    );
    if (recorded?.registration) {
      await client.query('ROLLBACK');
      return recorded.registration;
    }
    const {
      rows: [inserted],
    } = await client.query<{ version: number }>(
      `INSERT INTO model_versions (model, version, stage, engine, params, metrics, training_run)
       VALUES ($1, COALESCE((SELECT max(version) FROM model_versions WHERE model = $1), 0) + 1, 'staging', $2, $3, $4, $5)
       ON CONFLICT (model, training_run) DO UPDATE SET params = EXCLUDED.params, metrics = EXCLUDED.metrics
       RETURNING version`,
      [SEGMENTATION_MODEL, SEGMENTATION_ENGINE, JSON.stringify(next.params), JSON.stringify(next.metrics), next.runId],
    );
    const version = inserted!.version;
    await writeAssignments(client, version, next.runId, next.assignments);

    const {
      rows: [production],
    } = await client.query<SegmentationVersion>(
      `SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model = $1 AND stage = 'production' AND training_run <> $2`,
      [SEGMENTATION_MODEL, next.runId],
    );
    const decision = decide(
      production && { ...production, assignments: await versionAssignments(client, production.version) },
    );
    const registration: SegmentationRegistration = { version, ...decision };
    if (registration.promoted) {
      await client.query(`UPDATE model_versions SET stage = 'archived' WHERE model = $1 AND stage = 'production'`, [
        SEGMENTATION_MODEL,
      ]);
      await client.query(`UPDATE model_versions SET stage = 'production' WHERE model = $1 AND version = $2`, [
        SEGMENTATION_MODEL,
        version,
      ]);
      await client.query('SELECT pg_notify($1, $2)', [
        PRODUCTION_CHANGED_CHANNEL,
        JSON.stringify([SEGMENTATION_MODEL]),
      ]);
    }
    await client.query('UPDATE segmentation_runs SET model_version = $2, registration = $3 WHERE run_id = $1', [
      next.runId,
      version,
      JSON.stringify(registration),
    ]);
    await client.query('COMMIT');
    // Here only, once: a retry finds the run's registration recorded above and returns it uncounted.
    if (registration.promoted) countPromotion('customer_segments');
    return registration;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function writeAssignments(
  client: pg.PoolClient,
  version: number,
  runId: string,
  assignments: Assignment[],
): Promise<void> {
  await client.query('DELETE FROM customer_segments WHERE model_version = $1', [version]);
  const batch = 50_000;
  for (let i = 0; i < assignments.length; i += batch) {
    const part = assignments.slice(i, i + batch);
    await client.query(
      `INSERT INTO customer_segments (model_version, customer_id, segment, run_id)
       SELECT $1, * , $4 FROM unnest($2::text[], $3::int[])`,
      [version, part.map((a) => a.customerId), part.map((a) => a.segment), runId],
    );
  }
}

async function versionAssignments(client: pg.PoolClient | pg.Pool, version: number): Promise<Assignment[]> {
  const { rows } = await client.query<Assignment>(
    `SELECT customer_id AS "customerId", segment FROM customer_segments WHERE model_version = $1`,
    [version],
  );
  return rows;
}

/** The production segmentation version, if there is one. */
export async function productionSegmentation(pool: pg.Pool): Promise<SegmentationVersion | undefined> {
  const {
    rows: [row],
  } = await pool.query<SegmentationVersion>(
    `SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model = $1 AND stage = 'production'`,
    [SEGMENTATION_MODEL],
  );
  return row;
}

/** Every segmentation version, newest first, without params. */
export async function segmentationVersions(pool: pg.Pool): Promise<Omit<SegmentationVersion, 'params'>[]> {
  const { rows } = await pool.query<Omit<SegmentationVersion, 'params'>>(
    `SELECT version, stage, metrics, training_run AS "runId", created_at AS "createdAt"
     FROM model_versions WHERE model = $1 ORDER BY version DESC`,
    [SEGMENTATION_MODEL],
  );
  return rows;
}

export interface CustomerSegment {
  customerId: string;
  segment: number;
  modelVersion: number;
  runId: string;
}

/** A customer's segment in a version (default: production), or undefined if that version did not see them. */
export async function customerSegment(
  pool: pg.Pool,
  customerId: string,
  version?: number,
): Promise<CustomerSegment | undefined> {
  const {
    rows: [row],
  } = await pool.query<CustomerSegment>(
    `SELECT s.customer_id AS "customerId", s.segment, s.model_version AS "modelVersion", s.run_id AS "runId"
     FROM customer_segments s
     WHERE s.customer_id = $1 AND s.model_version = COALESCE($2::int,
       (SELECT version FROM model_versions WHERE model = $3 AND stage = 'production'))`,
    [customerId, version ?? null, SEGMENTATION_MODEL],
  );
  return row;
}

/** How many customers a version assigned. */
export async function assignedCustomers(pool: pg.Pool, version: number): Promise<number> {
  const {
    rows: [row],
  } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_segments WHERE model_version = $1', [
    version,
  ]);
  return row!.n;
}

/** A customer's stored features (from the run that made the version), as the API shows them. */
export type StoredFeatures = Omit<CustomerFeatures, 'customerId'>;

export interface ProductionCustomer extends CustomerSegment {
  label: string;
  /** Null when the run's features of this customer are no longer stored. */
  features: StoredFeatures | null;
}

const FEATURE_COLUMNS = `f.recency, f.frequency, f.monetary, f.tenure, f.interpurchase_time AS "interpurchaseTime"`;
const PRODUCTION_ASSIGNMENTS = `model_versions v
  JOIN customer_segments s ON s.model_version = v.version
  LEFT JOIN customer_features f ON f.run_id = s.run_id AND f.customer_id = s.customer_id
  WHERE v.model = $1 AND v.stage = 'production'`;

type FeatureRow = {
  recency: number | null;
  frequency: number;
  monetary: number;
  tenure: number;
  interpurchaseTime: number;
};
const storedFeatures = (r: FeatureRow): StoredFeatures | null =>
  r.recency === null
    ? null
    : {
        recency: r.recency,
        frequency: r.frequency,
        monetary: r.monetary,
        tenure: r.tenure,
        interpurchaseTime: r.interpurchaseTime,
      };

/** A customer's segment in production, with its label and their features; undefined if production did not see them. */
export async function productionCustomer(pool: pg.Pool, customerId: string): Promise<ProductionCustomer | undefined> {
  const {
    rows: [row],
  } = await pool.query<CustomerSegment & FeatureRow & { label: string }>(
    `SELECT s.customer_id AS "customerId", s.segment, s.model_version AS "modelVersion", s.run_id AS "runId",
       v.params->'profiles'->s.segment->>'label' AS label, ${FEATURE_COLUMNS}
     FROM ${PRODUCTION_ASSIGNMENTS} AND s.customer_id = $2`,
    [SEGMENTATION_MODEL, customerId],
  );
  return (
    row && {
      customerId: row.customerId,
      segment: row.segment,
      modelVersion: row.modelVersion,
      runId: row.runId,
      label: row.label,
      features: storedFeatures(row),
    }
  );
}

/** Up to `limit` production customers with their features and segment: the same spread-out sample on every call. */
export async function productionCustomerSample(
  pool: pg.Pool,
  limit: number,
): Promise<(StoredFeatures & { customerId: string; segment: number })[]> {
  const { rows } = await pool.query<FeatureRow & { customerId: string; segment: number }>(
    `SELECT s.customer_id AS "customerId", s.segment, ${FEATURE_COLUMNS}
     FROM ${PRODUCTION_ASSIGNMENTS} AND f.customer_id IS NOT NULL
     ORDER BY hashtext(s.customer_id), s.customer_id LIMIT $2`,
    [SEGMENTATION_MODEL, limit],
  );
  return rows.map((r) => ({ customerId: r.customerId, segment: r.segment, ...storedFeatures(r)! }));
}
