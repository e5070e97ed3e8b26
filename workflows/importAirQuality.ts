// importAirQuality({uri}): an AirQualityUCI.csv in the project bucket into Postgres `air_quality`, one
// row per hour (-200 stored as NULL), with every line that cannot be read in `rejected_rows` with its
// reason; then the rows and rejections the file's source holds are checked against the counts. The
// real file is 9,357 lines: one activity reads and writes it in one transaction, so a worker killed
// at any line costs a retry of that step and loads nothing twice.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { AirQualityActivities } from '../activities/airQuality.ts';
import {
  defaultAirQualitySource,
  type ImportAirQualityInput,
  type ImportAirQualityResult,
} from '../contracts/airQuality.ts';
import { HEARTBEAT_TIMEOUT } from '../contracts/heartbeats.ts';
import { INGEST_RETRY, invalidInput } from '../contracts/failures.ts';
import { tagRun } from './runTags.ts';

const acts = proxyActivities<AirQualityActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: INGEST_RETRY,
});

export async function importAirQuality(input: ImportAirQualityInput): Promise<ImportAirQualityResult> {
  tagRun({ pipeline: 'import-air-quality' });
  if (typeof input?.uri !== 'string' || !/^gs:\/\/[^/]+\/.+$/.test(input.uri))
    throw invalidInput('uri', `must be gs://<bucket>/<object>, got ${JSON.stringify(input?.uri)}`);
  if (input.source !== undefined && (typeof input.source !== 'string' || input.source.trim() === ''))
    throw invalidInput('source', 'must be a non-blank name');
  const source = input.source ?? defaultAirQualitySource(input.uri);
  const result = await acts.importAirQualityObject(input.uri, source);
  await acts.reconcileAirQualityImport(source, result.loaded, result.rejected);
  return { importId: workflowInfo().workflowId, ...result };
}
