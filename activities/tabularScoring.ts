// Activities of tabularBatchScoring: the version to score with, the source's rows scored into
// Postgres (predictions and rejections written as the whole of the dataset, in one transaction),
// their copy into BigQuery (the dataset and version's rows replaced), and the counts reconciled.
// Each can be retried at any line: nothing is written twice.
import { ApplicationFailure } from '@temporalio/common';
import { invalidInput } from '../contracts/failures.ts';
import {
  scoringDataset,
  scoringRejectionsSource,
  type TabularScoringCounts,
  type TabularScoringInput,
} from '../contracts/tabularScoring.ts';
import { batchScore } from '../ml/tabular/batchScore.ts';
import { sourceRows } from '../platform/tabularData.ts';
import {
  exportTabularPredictions,
  predictionCounts,
  saveTabularPredictions,
  scoringVersion,
} from '../platform/tabularPredictions.ts';
import { fittedTabular } from '../platform/tabularRegistry.ts';
import type { Deps } from './deps.ts';
import { whileHeartbeating } from './heartbeat.ts';

const NO_VERSION = 'NoModelVersion';

export function tabularScoringActivities(deps: Deps) {
  return {
    /** The version to score with: the given one, or production; fails for good when there is none. */
    tabularScoringVersion: async ({ model, version }: TabularScoringInput): Promise<number> => {
      const found = await scoringVersion(deps.pool, model, version);
      if (found) return found.version;
      if (version !== undefined) throw invalidInput('version', `${model} has no version ${version}`);
      throw ApplicationFailure.nonRetryable(
        `${model} has no production version: run tabularTraining (npm run data -- train-bigmart, or POST /v1/tabular-runs) first`,
        NO_VERSION,
      );
    },

    /** The source's rows scored with the version: predictions and rejections to Postgres; counts. */
    scoreTabularRows: (
      input: TabularScoringInput,
      version: number,
    ): Promise<Pick<TabularScoringCounts, 'read' | 'scored' | 'rejected' | 'written'>> =>
      whileHeartbeating(async () => {
        const found = await scoringVersion(deps.pool, input.model, version);
        if (!found) throw invalidInput('version', `${input.model} has no version ${version}`);
        const fitted = await fittedTabular(deps.store, found.params);
        const source = await sourceRows(deps, input.source);
        const placeOf = (i: number) => `${source.place} ${source.places[i]}`;
        const { scored, rejected } = batchScore(fitted, source.rows, placeOf);
        const dataset = scoringDataset(input.source);
        const written = await saveTabularPredictions(
          deps.pool,
          { model: input.model, version, dataset },
          scoringRejectionsSource(input.model, version, dataset),
          scored,
          rejected.map((r) => ({
            line: source.places[r.index]!,
            reason: r.reason,
            raw: JSON.stringify(source.rows[r.index]),
          })),
        );
        return { read: source.rows.length, scored: scored.length, rejected: rejected.length, written };
      }),

    /** The dataset's predictions of the version copied into BigQuery, replacing its rows there. */
    exportTabularPredictions: (input: TabularScoringInput, version: number): Promise<void> =>
      whileHeartbeating(() =>
        exportTabularPredictions(deps, { model: input.model, version, dataset: scoringDataset(input.source) }),
      ),

    /**
     * Checks rows read = scored + rejected, and that Postgres holds exactly the scored predictions
     * and the rejections, and BigQuery the same predictions; returns BigQuery's count.
     */
    reconcileTabularScoring: async (
      input: TabularScoringInput,
      version: number,
      counts: Pick<TabularScoringCounts, 'read' | 'scored' | 'rejected'>,
    ): Promise<number> => {
      const dataset = scoringDataset(input.source);
      const held = await predictionCounts(
        deps,
        { model: input.model, version, dataset },
        scoringRejectionsSource(input.model, version, dataset),
      );
      const wrong = [
        ...(counts.read === counts.scored + counts.rejected
          ? []
          : [`read ${counts.read} rows, but scored ${counts.scored} and rejected ${counts.rejected}`]),
        ...(held.postgres === counts.scored ? [] : [`scored ${counts.scored}, Postgres holds ${held.postgres}`]),
        ...(held.rejected === counts.rejected
          ? []
          : [`rejected ${counts.rejected}, Postgres holds ${held.rejected} rejections`]),
        ...(held.warehouse === counts.scored ? [] : [`scored ${counts.scored}, BigQuery holds ${held.warehouse}`]),
      ];
      if (wrong.length)
        throw ApplicationFailure.nonRetryable(
          `scoring of ${dataset} with ${input.model} version ${version} does not reconcile (was another scoring of it running? rerun it): ${wrong.join('; ')}`,
          'ReconciliationMismatch',
        );
      return held.warehouse;
    },
  };
}

export type TabularScoringActivities = ReturnType<typeof tabularScoringActivities>;
