// Activities of customerSegmentation. The warehouse steps (export, cleaning, features, the
// segments table) replace the run's own tables; the features land in Postgres keyed by run, so a
// k's fit reads them there and a retry fits the same points; registering writes the version, its
// assignments and the promotion in one transaction that a retry finds already done.
import { Context } from '@temporalio/activity';
import type {
  SegmentationModelParams,
  SegmentationOptions,
  SegmentationRegistration,
  SegmentationSnapshot,
  SegmentCountFit,
  TransactionWindow,
} from '../contracts/segmentation.ts';
import { featureMatrix, SEED_FEATURES } from '../ml/segmentation/features.ts';
import { nearestCentroid } from '../ml/segmentation/kmeans.ts';
import { versionChanges } from '../ml/segmentation/matching.ts';
import { segmentProfiles } from '../ml/segmentation/profiles.ts';
import { standardize } from '../ml/segmentation/scaler.ts';
import { chooseSegmentCount, segmentationPromotion } from '../ml/segmentation/selection.ts';
import { copyCustomerFeatures, readCustomerFeatures } from '../platform/customerFeatures.ts';
import { recordSegmentationRun, type SegmentationRunState } from '../platform/runs.ts';
import { registerSegmentationVersion } from '../platform/segmentRegistry.ts';
import {
  buildCustomerFeatures,
  exportSegmentsToWarehouse,
  exportTransactionsSnapshot,
} from '../platform/segmentationWarehouse.ts';
import type { Deps } from './deps.ts';
import { whileHeartbeating } from './heartbeat.ts';

export function segmentationActivities(deps: Deps) {
  const scaledCustomers = async (runId: string) => {
    const customers = await readCustomerFeatures(deps.pool, runId);
    return { customers, ...standardize(featureMatrix(customers, SEED_FEATURES)) };
  };

  return {
    recordSegmentationRun: (run: SegmentationRunState): Promise<void> =>
      whileHeartbeating(() => recordSegmentationRun(deps.pool, run)),

    /** The window's transactions, Postgres -> GCS -> the run's BigQuery table; how many. */
    exportSegmentationSnapshot: (runId: string, window: TransactionWindow): Promise<number> =>
      whileHeartbeating(() => exportTransactionsSnapshot(deps, runId, window)),

    /** Cleans the run's snapshot in BigQuery, counting each step, and copies its customers' features to Postgres. */
    cleanSegmentationSnapshot: (runId: string, asOf?: string): Promise<SegmentationSnapshot> =>
      whileHeartbeating(async () => {
        const snapshot = await buildCustomerFeatures(deps, runId, asOf);
        await copyCustomerFeatures(deps, runId);
        return snapshot;
      }),

    /** Fits one k on the run's scaled features in a worker thread. */
    fitSegmentCount: (runId: string, k: number, o: SegmentationOptions): Promise<SegmentCountFit> =>
      whileHeartbeating(async () => {
        const { points } = await scaledCustomers(runId);
        return deps.fitPool.fitSegments(
          { points, k, restarts: o.restarts, seed: o.seed },
          Context.current().cancellationSignal,
        );
      }),

    /** Chooses k, registers the version with every customer's segment, and promotes it or not. */
    registerSegmentation: (
      runId: string,
      snapshot: SegmentationSnapshot,
      fits: SegmentCountFit[],
      o: SegmentationOptions,
    ): Promise<{ k: number; registration: SegmentationRegistration }> =>
      whileHeartbeating(async () => {
        const chosen = chooseSegmentCount(fits, o.k);
        const { customers, scaler, points } = await scaledCustomers(runId);
        const segments = points.map((p) => nearestCentroid(chosen.centroids, p));
        const params: SegmentationModelParams = {
          k: chosen.k,
          features: [...SEED_FEATURES],
          scaler,
          centroids: chosen.centroids,
          profiles: segmentProfiles(customers, segments, chosen.k),
          snapshotDate: snapshot.snapshotDate,
          from: o.from ?? null,
          asOf: o.asOf ?? null,
        };
        const assignments = customers.map((c, i) => ({ customerId: c.customerId, segment: segments[i]! }));
        const registration = await registerSegmentationVersion(
          deps.pool,
          {
            runId,
            params,
            metrics: {
              silhouette: chosen.silhouette,
              inertia: chosen.inertia,
              customers: customers.length,
              byK: fits.map(({ k, inertia, silhouette }) => ({ k, inertia, silhouette })),
            },
            assignments,
          },
          (production) => {
            const { promote, reason } = segmentationPromotion(
              chosen.silhouette,
              production?.metrics.silhouette,
              o.promotionMargin,
            );
            return {
              promoted: promote,
              reason,
              previous: production ? { version: production.version, silhouette: production.metrics.silhouette } : null,
              changes: production
                ? versionChanges(production.params, params, production.assignments, assignments)
                : null,
            };
          },
        );
        return { k: chosen.k, registration };
      }),

    /** The version's segments, Postgres -> GCS -> BigQuery (the version's rows replaced); how many. */
    exportSegments: (version: number): Promise<number> =>
      whileHeartbeating(() => exportSegmentsToWarehouse(deps, version)),
  };
}

export type SegmentationActivities = ReturnType<typeof segmentationActivities>;
