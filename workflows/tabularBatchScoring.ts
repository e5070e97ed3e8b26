// tabularBatchScoring: a source's rows (BigMart's Test.csv, or a table) scored with a tabular
// model's production version (or the given one) -> predictions and rejected rows in Postgres ->
// the dataset and version's rows replaced in BigQuery -> counts reconciled (read = scored +
// rejected, and both stores hold the scored rows). A rerun writes nothing new.
import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { TabularScoringActivities } from '../activities/tabularScoring.ts';
import { HEARTBEAT_TIMEOUT } from '../contracts/heartbeats.ts';
import { invalidInput, PIPELINE_RETRY } from '../contracts/failures.ts';
import {
  scoringDataset,
  scoringRejectionsSource,
  tabularScoringProgressQuery,
  type TabularScoringCounts,
  type TabularScoringInput,
  type TabularScoringReport,
  type TabularScoringStage,
} from '../contracts/tabularScoring.ts';
import { isTabularModel, noTabularPreset } from '../domain/tabularModels.ts';
import { tagRun, tagStage } from './runTags.ts';

const acts = proxyActivities<TabularScoringActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: PIPELINE_RETRY,
});

export async function tabularBatchScoring(input: TabularScoringInput): Promise<TabularScoringReport> {
  checkInput(input);
  tagRun({ pipeline: 'tabular-scoring', model: input.model, stage: 'resolving' });
  const started = Date.now();
  let stage: TabularScoringStage = 'resolving';
  const enter = (next: TabularScoringStage) => {
    stage = next;
    tagStage(next);
  };
  let version: number | null = null;
  const counts: TabularScoringCounts = { read: 0, scored: 0, rejected: 0, written: 0, warehouse: 0 };
  setHandler(tabularScoringProgressQuery, () => ({ stage, version, counts }));

  const chosen = await acts.tabularScoringVersion(input);
  version = chosen;
  enter('scoring');
  Object.assign(counts, await acts.scoreTabularRows(input, chosen));
  enter('warehousing');
  await acts.exportTabularPredictions(input, chosen);
  enter('reconciling');
  counts.warehouse = await acts.reconcileTabularScoring(input, chosen, counts);
  enter('done');
  const dataset = scoringDataset(input.source);
  return {
    runId: workflowInfo().workflowId,
    model: input.model,
    version: chosen,
    dataset,
    ...counts,
    rejectedSource: scoringRejectionsSource(input.model, chosen, dataset),
    seconds: (Date.now() - started) / 1000,
  };
}

function checkInput({ model, source, version }: TabularScoringInput): void {
  if (!isTabularModel(model)) throw invalidInput('model', noTabularPreset(model));
  if (version !== undefined && !(Number.isInteger(version) && version >= 1))
    throw invalidInput('version', `must be a whole number from 1, got ${version}`);
  if (source.kind === 'csv') {
    // The dataset's name is inlined into BigQuery's replacement of its rows.
    if (!source.uri || /['\\\s]/.test(source.uri))
      throw invalidInput(
        'source.uri',
        `must name the CSV object, without quotes, backslashes or spaces, got ${JSON.stringify(source.uri)}`,
      );
  } else if (source.kind === 'postgres' || source.kind === 'bigquery') {
    if (!source.table) throw invalidInput('source.table', 'must name the table');
  } else
    throw invalidInput(
      'source.kind',
      `must be csv, postgres or bigquery, got ${JSON.stringify((source as { kind: unknown }).kind)}`,
    );
}
