// customerSegmentation: the transactions from `from` to asOf into the warehouse -> the seed's cleaning and
// RFMT features per customer in BigQuery -> KMeans for every k at once, one activity each (worker
// threads fit them in parallel) -> choose k by silhouette, register the version with every
// customer's segment, promote it or not -> the segments into BigQuery. Each step's record keeps
// the run row current, so the page and the API see the stage without asking the workflow.
import {
  CancellationScope,
  isCancellation,
  proxyActivities,
  rootCause,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SegmentationActivities } from '../activities/segmentation.ts';
import { HEARTBEAT_TIMEOUT } from '../contracts/heartbeats.ts';
import { invalidInput, PIPELINE_RETRY } from '../contracts/failures.ts';
import {
  DEFAULT_SEGMENTATION,
  MAX_SEGMENTS,
  MIN_SEGMENTS,
  SEGMENTATION_MODEL,
  segmentationProgressQuery,
  segmentCounts,
  type SegmentationCounts,
  type SegmentationOptions,
  type SegmentationReport,
  type SegmentationStage,
  type SegmentationSnapshot,
  type SegmentCountFit,
} from '../contracts/segmentation.ts';
import { dateProblem, todayUtc } from '../domain/dates.ts';
import { tagRun, tagStage } from './runTags.ts';

const acts = proxyActivities<SegmentationActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: PIPELINE_RETRY,
});

export async function customerSegmentation(input: Partial<SegmentationOptions> = {}): Promise<SegmentationReport> {
  const options: SegmentationOptions = { ...DEFAULT_SEGMENTATION, ...input };
  checkOptions(options);
  const { workflowId: runId, runId: workflowRunId } = workflowInfo();
  tagRun({ pipeline: 'segmentation', model: SEGMENTATION_MODEL, asOf: options.asOf });
  const started = Date.now();
  const ks = segmentCounts(options);
  const counts: SegmentationCounts = {
    transactions: 0,
    cleaned: 0,
    customers: 0,
    kTotal: ks.length,
    kDone: 0,
    assigned: 0,
  };
  let stage: SegmentationStage = 'exporting';
  let snapshot: SegmentationSnapshot | undefined;
  let fits: SegmentCountFit[] | undefined;
  let k: number | undefined;
  setHandler(segmentationProgressQuery, () => ({ stage, counts: { ...counts } }));
  const record = (error?: string) => {
    tagStage(stage);
    return acts.recordSegmentationRun({
      runId,
      workflowRunId,
      stage,
      options,
      counts,
      ...(snapshot ? { snapshot } : {}),
      ...(fits ? { byK: fits.map(({ centroids: _c, restarts: _r, ...fit }) => fit) } : {}),
      ...(k !== undefined ? { k } : {}),
      ...(error !== undefined ? { error } : {}),
    });
  };

  await record();
  try {
    counts.transactions = await acts.exportSegmentationSnapshot(runId, { from: options.from, asOf: options.asOf });
    stage = 'cleaning';
    await record();

    snapshot = await acts.cleanSegmentationSnapshot(runId, options.asOf);
    counts.cleaned = snapshot.cleaning.kept;
    counts.customers = snapshot.customers;
    const fitted = ks.filter((n) => n < snapshot!.customers);
    if (!fitted.length)
      throw invalidInput(
        options.k !== undefined ? 'k' : 'kMin',
        `${snapshot.customers} customers after cleaning: k = ${ks[0]} needs more than ${ks[0]}`,
      );
    counts.kTotal = fitted.length;
    stage = 'fitting';
    await record();

    fits = await Promise.all(
      fitted.map((n) =>
        acts.fitSegmentCount(runId, n, options).then((fit) => {
          counts.kDone++;
          return fit;
        }),
      ),
    );
    stage = 'registering';
    await record();

    const registered = await acts.registerSegmentation(runId, snapshot, fits, options);
    k = registered.k;
    stage = 'assigning';
    await record();

    counts.assigned = await acts.exportSegments(registered.registration.version);
    stage = 'done';
    await record();
    return {
      runId,
      from: options.from ?? null,
      asOf: options.asOf ?? null,
      snapshot,
      k,
      chosenBy: options.k !== undefined ? 'fixed' : 'silhouette',
      byK: fits.map(({ k, inertia, silhouette }) => ({ k, inertia, silhouette })),
      registration: registered.registration,
      assigned: counts.assigned,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (err) {
    // What was saved stays (each step replaces its own tables); the run row says where it stopped and why.
    stage = isCancellation(err) ? 'cancelled' : 'failed';
    await CancellationScope.nonCancellable(() =>
      record(stage === 'cancelled' ? 'cancelled' : (rootCause(err) ?? String(err))),
    );
    throw err;
  }
}

function checkOptions(o: SegmentationOptions): void {
  for (const field of ['from', 'asOf'] as const) {
    const problem = o[field] !== undefined && dateProblem(o[field], 'past', todayUtc());
    if (problem) throw invalidInput(field, problem);
  }
  if (o.from !== undefined && o.asOf !== undefined && o.from > o.asOf)
    throw invalidInput('from', `${o.from} is after asOf ${o.asOf}`);
  const segments = (field: 'k' | 'kMin' | 'kMax', value: number) => {
    if (!Number.isInteger(value) || value < MIN_SEGMENTS || value > MAX_SEGMENTS)
      throw invalidInput(field, `must be a whole number from ${MIN_SEGMENTS} to ${MAX_SEGMENTS}, got ${value}`);
  };
  segments('kMin', o.kMin);
  segments('kMax', o.kMax);
  if (o.k !== undefined) segments('k', o.k);
  if (o.kMin > o.kMax) throw invalidInput('kMin', `must not be above kMax (${o.kMax}), got ${o.kMin}`);
  if (!Number.isInteger(o.restarts) || o.restarts < 1 || o.restarts > 100)
    throw invalidInput('restarts', `must be a whole number from 1 to 100, got ${o.restarts}`);
  if (!Number.isInteger(o.seed)) throw invalidInput('seed', `must be a whole number, got ${o.seed}`);
  if (!(o.promotionMargin >= 0 && o.promotionMargin <= 2))
    throw invalidInput('promotionMargin', `must be from 0 to 2, got ${o.promotionMargin}`);
}
