// A segmentation version made by the real ml/segmentation code from a generated Online Retail
// file (the seed's cleaning, RFMT features, scaler, KMeans, profiles), registered as the workflow
// registers one, with its customers' features stored as a run stores them.
import type { SegmentationMetrics, SegmentationModelParams } from '../../contracts/segmentation.ts';
import { cleanTransactions, type RetailTransaction } from '../../ml/segmentation/cleaning.ts';
import {
  customerFeatures,
  featureMatrix,
  SEED_FEATURES,
  type CustomerFeatures,
} from '../../ml/segmentation/features.ts';
import { fitKMeans } from '../../ml/segmentation/kmeans.ts';
import { segmentProfiles } from '../../ml/segmentation/profiles.ts';
import { versionChanges } from '../../ml/segmentation/matching.ts';
import { fitScaler, transform } from '../../ml/segmentation/scaler.ts';
import type { Pool } from '../../platform/postgres.ts';
import { recordSegmentationRun } from '../../platform/runs.ts';
import { registerSegmentationVersion } from '../../platform/segmentRegistry.ts';
import { generateRetail } from '../../scripts/data/onlineRetailGenerator.ts';
import { DEFAULT_SEGMENTATION, type SegmentationRegistration } from '../../contracts/segmentation.ts';

export interface FittedSegmentation {
  params: SegmentationModelParams;
  metrics: SegmentationMetrics;
  customers: CustomerFeatures[];
  segments: number[];
}

/** Generated transactions, cleaned as the seed cleans them. */
export function generatedTransactions(o: { seed: number; customers: number; rows: number }): RetailTransaction[] {
  const rows: RetailTransaction[] = [];
  generateRetail(o, (l) =>
    rows.push({
      invoiceNo: l.invoiceNo,
      stockCode: l.stockCode,
      description: l.description,
      quantity: l.quantity,
      invoiceDate: Date.parse(`${l.at.replace(' ', 'T')}:00Z`),
      unitPrice: l.unitPrice,
      customerId: l.customerId === null ? null : String(l.customerId),
      country: l.country,
    }),
  );
  return cleanTransactions(rows).rows;
}

/** A model of k segments fitted on these transactions' customers; `ks` are fitted too, for the metrics. */
export function fitSegmentation(
  transactions: readonly RetailTransaction[],
  k: number,
  seed = 1,
  ks: number[] = [k],
): FittedSegmentation {
  const customers = customerFeatures(
    transactions.map((t) => ({
      customerId: t.customerId!,
      invoiceNo: t.invoiceNo,
      invoiceDate: t.invoiceDate,
      quantity: t.quantity,
      unitPrice: t.unitPrice,
    })),
  );
  const raw = featureMatrix(customers);
  const scaler = fitScaler(raw);
  const points = transform(scaler, raw);
  const fits = new Map([...new Set([...ks, k])].map((n) => [n, fitKMeans(points, n, { restarts: 3, seed })]));
  const fit = fits.get(k)!;
  const snapshot = transactions.reduce((latest, t) => Math.max(latest, t.invoiceDate), -Infinity);
  return {
    params: {
      k,
      features: [...SEED_FEATURES],
      scaler,
      centroids: fit.centroids,
      profiles: segmentProfiles(customers, fit.labels, k),
      snapshotDate: new Date(snapshot).toISOString().slice(0, 19).replace('T', ' '),
      from: null,
      asOf: null,
    },
    metrics: {
      silhouette: fit.silhouette.score,
      inertia: fit.inertia,
      customers: customers.length,
      byK: [...fits.values()]
        .map((f) => ({ k: f.k, inertia: f.inertia, silhouette: f.silhouette.score }))
        .sort((a, b) => a.k - b.k),
    },
    customers,
    segments: fit.labels,
  };
}

/**
 * Registers the fit as run `runId`'s version, promoted, with the run's row and its customers'
 * features; the customers that changed segment are counted as the workflow counts them.
 */
export async function registerFitted(
  pool: Pool,
  runId: string,
  fitted: FittedSegmentation,
): Promise<SegmentationRegistration> {
  const options = { ...DEFAULT_SEGMENTATION, kMin: fitted.metrics.byK[0]!.k, kMax: fitted.metrics.byK.at(-1)!.k };
  const counts = {
    transactions: 0,
    cleaned: 0,
    customers: fitted.customers.length,
    kTotal: 1,
    kDone: 1,
    assigned: fitted.customers.length,
  };
  await recordSegmentationRun(pool, { runId, workflowRunId: runId, stage: 'registering', options, counts });
  await pool.query(
    `INSERT INTO customer_features (run_id, customer_id, recency, frequency, monetary, tenure, interpurchase_time)
     SELECT $1, * FROM unnest($2::text[], $3::int[], $4::int[], $5::float8[], $6::int[], $7::float8[])`,
    [
      runId,
      ...(['customerId', 'recency', 'frequency', 'monetary', 'tenure', 'interpurchaseTime'] as const).map((f) =>
        fitted.customers.map((c) => c[f]),
      ),
    ],
  );
  const assignments = fitted.customers.map((c, i) => ({ customerId: c.customerId, segment: fitted.segments[i]! }));
  const registration = await registerSegmentationVersion(
    pool,
    {
      runId,
      params: fitted.params,
      metrics: fitted.metrics,
      assignments,
    },
    (production) => ({
      promoted: true,
      reason: 'registered by a test, always promoted',
      previous: production ? { version: production.version, silhouette: production.metrics.silhouette } : null,
      changes: production
        ? versionChanges(production.params, fitted.params, production.assignments, assignments)
        : null,
    }),
  );
  await recordSegmentationRun(pool, {
    runId,
    workflowRunId: runId,
    stage: 'done',
    options,
    counts,
    byK: fitted.metrics.byK.map((f) => ({
      ...f,
      silhouettePoints: fitted.customers.length,
      sizes: f.k === fitted.params.k ? fitted.params.profiles.map((p) => p.size) : [],
      kept: 0,
    })),
    k: fitted.params.k,
  });
  return registration;
}
