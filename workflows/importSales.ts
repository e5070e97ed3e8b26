// importSales({storesUri, trainUri, calendarUri}): Rossmann files in the project bucket into Postgres,
// GCS and BigQuery. The stores first (so the sales rows of their stores land, and those of rejected
// stores count as the rejection's cascade), then the sales file in chunks of lines, one activity each,
// each starting where the last ended; then one warehouse step (exports, one BigQuery load,
// reconciliation); then the planned calendar of a test.csv, if given. A chunk commits with its record, so a worker killed at any line costs a retry
// of that chunk and loads nothing twice.
import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ImportSalesActivities } from '../activities/importSales.ts';
import { HEARTBEAT_TIMEOUT } from '../contracts/heartbeats.ts';
import { INGEST_RETRY, invalidInput } from '../contracts/failures.ts';
import {
  addChunkCounts,
  DEFAULT_CHUNK_LINES,
  importProgressQuery,
  MAX_CHUNK_LINES,
  rejectedRowsQuery,
  type ChunkStart,
  type ChunkSummary,
  type ImportProgress,
  type ImportSalesInput,
  type ImportSalesResult,
} from '../contracts/imports.ts';
import { todayUtc } from '../domain/dates.ts';
import { tagRun, tagStage } from './runTags.ts';

const acts = proxyActivities<ImportSalesActivities>({
  startToCloseTimeout: '30 minutes',
  // A worker killed mid-chunk is noticed within this, and the chunk retried elsewhere.
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: INGEST_RETRY,
});

function checkInput({ storesUri, trainUri, calendarUri, chunkLines }: ImportSalesInput): void {
  if (storesUri === undefined && trainUri === undefined && calendarUri === undefined)
    throw invalidInput('trainUri', 'give trainUri, storesUri, calendarUri or several');
  for (const [field, uri] of [
    ['storesUri', storesUri],
    ['trainUri', trainUri],
    ['calendarUri', calendarUri],
  ] as const) {
    if (uri !== undefined && !/^gs:\/\/[^/]+\/.+$/.test(uri))
      throw invalidInput(field, `must be gs://<bucket>/<object>, got ${JSON.stringify(uri)}`);
  }
  if (chunkLines !== undefined && !(Number.isInteger(chunkLines) && chunkLines >= 2 && chunkLines <= MAX_CHUNK_LINES)) {
    throw invalidInput('chunkLines', `must be a whole number from 2 to ${MAX_CHUNK_LINES}, got ${chunkLines}`);
  }
}

export async function importSales(input: ImportSalesInput): Promise<ImportSalesResult> {
  tagRun({ pipeline: 'import-sales', stage: 'starting' });
  checkInput(input);
  const importId = workflowInfo().workflowId;
  const progress: ImportProgress = {
    stage: 'starting',
    read: 0,
    loaded: 0,
    rejected: 0,
    chunksDone: 0,
    bytesDone: 0,
    bytesTotal: 0,
  };
  setHandler(importProgressQuery, () => ({ ...progress }));
  const result: ImportSalesResult = { importId, rejectedRows: [] };

  if (input.storesUri) {
    progress.stage = 'stores';
    tagStage('stores');
    result.stores = await acts.importStoresObject(input.storesUri);
    result.rejectedRows.push(rejectedRowsQuery(result.stores.source));
  }
  if (input.trainUri) {
    progress.stage = 'sales';
    tagStage('sales');
    const { plan, bytes } = await acts.beginSalesImport({
      importId,
      trainUri: input.trainUri,
      // Workflow time: every row of the import carries it, and a replay sees the same.
      ingestedAt: new Date().toISOString(),
      latestDate: todayUtc(),
      rejectedStores: result.stores?.rejectedStores ?? [],
      chunkLines: input.chunkLines ?? DEFAULT_CHUNK_LINES,
      warehouse: input.warehouse !== false,
    });
    progress.bytesTotal = bytes;
    const chunks: ChunkSummary[] = [];
    for (let start: ChunkStart = { chunk: 0, offset: 0, line: 0 }; ;) {
      const chunk = await acts.importSalesChunk(input.trainUri, plan, start);
      chunks.push(chunk);
      progress.chunksDone++;
      progress.read += chunk.read;
      progress.loaded += chunk.loaded;
      progress.rejected += chunk.rejected;
      progress.bytesDone = chunk.end.offset;
      if (chunk.done) break;
      start = { chunk: chunk.chunk + 1, offset: chunk.end.offset, line: chunk.end.line, header: chunk.header };
    }
    progress.stage = 'warehouse';
    tagStage('warehouse');
    const warehouse = await acts.finishSalesImport(input.trainUri, plan, chunks);
    result.sales = addChunkCounts(`import:${input.trainUri}`, chunks, warehouse);
    result.rejectedRows.push(rejectedRowsQuery(result.sales.source));
  }
  if (input.calendarUri) {
    progress.stage = 'calendar';
    tagStage('calendar');
    result.calendar = await acts.importCalendarObject(input.calendarUri);
    result.rejectedRows.push(rejectedRowsQuery(result.calendar.source));
  }
  progress.stage = 'done';
  tagStage('done');
  return result;
}
