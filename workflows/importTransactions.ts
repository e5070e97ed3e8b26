// importTransactions({uris}): Online Retail files in the project bucket (the UCI export, or a folder
// of Spark's daily files) into Postgres `transactions`. Each file is read in chunks of lines, one
// activity each, each starting where the last ended (a few files at a time); then the rows and
// rejections each file's source holds are checked against the counts. A chunk writes the whole of
// its lines in one transaction, so a worker killed at any line costs a retry of that chunk and
// loads nothing twice.
import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ImportTransactionsActivities } from '../activities/importTransactions.ts';
import { HEARTBEAT_TIMEOUT } from '../contracts/heartbeats.ts';
import { INGEST_RETRY, invalidInput } from '../contracts/failures.ts';
import {
  DEFAULT_TRANSACTION_CHUNK_LINES,
  defaultSource,
  MAX_TRANSACTION_CHUNK_LINES,
  MAX_TRANSACTION_FILES,
  rejectedRowsOf,
  TRANSACTION_FILES_AT_ONCE,
  transactionImportProgressQuery,
  type ImportTransactionsInput,
  type ImportTransactionsResult,
  type TransactionChunkStart,
  type TransactionFileSummary,
  type TransactionImportProgress,
} from '../contracts/transactionImports.ts';
import { slidingWindow } from './slidingWindow.ts';
import { tagRun, tagStage } from './runTags.ts';

const acts = proxyActivities<ImportTransactionsActivities>({
  startToCloseTimeout: '30 minutes',
  // A worker killed mid-chunk is noticed within this, and the chunk retried elsewhere.
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: INGEST_RETRY,
});

function checkInput({ uris, sources, chunkLines }: ImportTransactionsInput): void {
  if (!Array.isArray(uris) || uris.length === 0) throw invalidInput('uris', 'give at least one gs:// URI');
  if (uris.length > MAX_TRANSACTION_FILES)
    throw invalidInput('uris', `at most ${MAX_TRANSACTION_FILES} files per import, got ${uris.length}`);
  uris.forEach((uri, i) => {
    if (typeof uri !== 'string' || !/^gs:\/\/[^/]+\/.+$/.test(uri))
      throw invalidInput(`uris[${i}]`, `must be gs://<bucket>/<object>, got ${JSON.stringify(uri)}`);
    if (uris.indexOf(uri) !== i) throw invalidInput(`uris[${i}]`, `${uri} is listed twice`);
  });
  if (sources !== undefined) {
    if (!Array.isArray(sources) || sources.length !== uris.length)
      throw invalidInput('sources', `must name each of the ${uris.length} file(s), got ${JSON.stringify(sources)}`);
    sources.forEach((s, i) => {
      if (typeof s !== 'string' || s.trim() === '') throw invalidInput(`sources[${i}]`, 'must be a non-blank name');
      if (sources.indexOf(s) !== i) throw invalidInput(`sources[${i}]`, `${JSON.stringify(s)} is listed twice`);
    });
  }
  if (
    chunkLines !== undefined &&
    !(Number.isInteger(chunkLines) && chunkLines >= 1 && chunkLines <= MAX_TRANSACTION_CHUNK_LINES)
  ) {
    throw invalidInput(
      'chunkLines',
      `must be a whole number from 1 to ${MAX_TRANSACTION_CHUNK_LINES}, got ${chunkLines}`,
    );
  }
}

export async function importTransactions(input: ImportTransactionsInput): Promise<ImportTransactionsResult> {
  tagRun({ pipeline: 'import-transactions', stage: 'starting' });
  checkInput(input);
  const chunkLines = input.chunkLines ?? DEFAULT_TRANSACTION_CHUNK_LINES;
  const progress: TransactionImportProgress = {
    stage: 'starting',
    files: input.uris.length,
    filesDone: 0,
    chunksDone: 0,
    read: 0,
    loaded: 0,
    rejected: 0,
    bytesDone: 0,
    bytesTotal: 0,
  };
  setHandler(transactionImportProgressQuery, () => ({ ...progress }));

  const sizes = await acts.measureTransactionFiles(input.uris);
  progress.bytesTotal = sizes.reduce((a, b) => a + b, 0);
  const files: TransactionFileSummary[] = input.uris.map((uri, i) => ({
    uri,
    source: input.sources?.[i] ?? defaultSource(uri),
    bytes: sizes[i]!,
    chunks: 0,
    read: 0,
    loaded: 0,
    written: 0,
    rejected: 0,
  }));

  progress.stage = 'importing';
  tagStage('importing');
  await slidingWindow(files, TRANSACTION_FILES_AT_ONCE, async (file) => {
    for (let start: TransactionChunkStart = { chunk: 0, offset: 0, line: 0 }; ;) {
      const chunk = await acts.importTransactionChunk({ uri: file.uri, source: file.source }, chunkLines, start);
      for (const k of ['read', 'loaded', 'written', 'rejected'] as const) file[k] += chunk[k];
      file.chunks++;
      progress.chunksDone++;
      progress.read += chunk.read;
      progress.loaded += chunk.loaded;
      progress.rejected += chunk.rejected;
      progress.bytesDone += chunk.end.offset - start.offset;
      if (chunk.done) break;
      start = { chunk: chunk.chunk + 1, offset: chunk.end.offset, line: chunk.end.line, header: chunk.header };
    }
    progress.filesDone++;
  });

  progress.stage = 'reconciling';
  tagStage('reconciling');
  await acts.reconcileTransactionImport(files);
  progress.stage = 'done';
  tagStage('done');
  const sum = (k: 'read' | 'loaded' | 'written' | 'rejected') => files.reduce((a, f) => a + f[k], 0);
  const withRejections = files.filter((f) => f.rejected > 0).map((f) => f.source);
  return {
    importId: workflowInfo().workflowId,
    read: sum('read'),
    loaded: sum('loaded'),
    written: sum('written'),
    rejected: sum('rejected'),
    files,
    ...(withRejections.length ? { rejectedRows: rejectedRowsOf(withRejections) } : {}),
  };
}
