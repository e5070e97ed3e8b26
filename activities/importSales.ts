// Activities of importSales: thin wrappers over platform/salesImport.ts, storeImport.ts and
// calendarImport.ts that read the import's files from the project bucket and heartbeat. Each is safe
// to retry: stores and planned days are upserted, each chunk commits with its record (a retry returns it), and the warehouse step
// overwrites its objects and replaces the date range.
import {
  objectOfUri,
  type CalendarImportSummary,
  type BeginSalesImport,
  type ChunkStart,
  type ChunkSummary,
  type SalesImportPlan,
  type StoresImportSummary,
  type WarehouseSummary,
} from '../contracts/imports.ts';
import { invalidInput } from '../contracts/failures.ts';
import {
  finishSalesImport,
  importSalesChunk,
  objectTrainFile,
  planSalesImport,
  type ChunkProgress,
} from '../platform/salesImport.ts';
import { importCalendarFrom } from '../platform/calendarImport.ts';
import { importStoresFrom } from '../platform/storeImport.ts';
import type { Deps } from './deps.ts';
import { whileHeartbeating } from './heartbeat.ts';

export function importSalesActivities(deps: Deps) {
  const objectOf = (field: string, uri: string) => {
    const r = objectOfUri(uri, deps.store.bucketName);
    if ('problem' in r) throw invalidInput(field, r.problem);
    return r.object;
  };
  const trainFile = (uri: string) => objectTrainFile(deps.store, objectOf('trainUri', uri));

  return {
    /** Upserts the stores of a store.csv in the bucket; its rejections are kept under import:<uri>. */
    importStoresObject: (uri: string): Promise<StoresImportSummary> =>
      whileHeartbeating(async () => {
        const object = objectOf('storesUri', uri);
        if (!(await deps.store.exists(object))) throw invalidInput('storesUri', `object ${uri} does not exist`);
        return importStoresFrom(deps.pool, deps.store.file(object).createReadStream(), uri, `import:${uri}`);
      }),

    /** Upserts the planned days of a test.csv in the bucket; its rejections are kept under import:<uri>. */
    importCalendarObject: (uri: string): Promise<CalendarImportSummary> =>
      whileHeartbeating(async () => {
        const object = objectOf('calendarUri', uri);
        if (!(await deps.store.exists(object))) throw invalidInput('calendarUri', `object ${uri} does not exist`);
        return importCalendarFrom(deps.pool, deps.store.file(object).createReadStream(), uri, `import:${uri}`);
      }),

    /** Fixes what every chunk shares (the months `sales` holds before the first) and measures the file. */
    beginSalesImport: (input: BeginSalesImport): Promise<{ plan: SalesImportPlan; bytes: number }> =>
      whileHeartbeating(async () => {
        const bytes = await trainFile(input.trainUri).size();
        return { plan: await planSalesImport(deps.pool, input.importId, input), bytes };
      }),

    /** One chunk of lines, from its byte offset; heartbeats how many it has read. */
    importSalesChunk: (trainUri: string, plan: SalesImportPlan, start: ChunkStart): Promise<ChunkSummary> => {
      const progress: ChunkProgress = { read: 0 };
      return whileHeartbeating(
        () => importSalesChunk(deps, trainFile(trainUri), plan, start, progress),
        () => ({ chunk: start.chunk, read: progress.read }),
      );
    },

    /** Exports, loads into BigQuery and reconciles the imported date range. */
    finishSalesImport: (trainUri: string, plan: SalesImportPlan, chunks: ChunkSummary[]): Promise<WarehouseSummary> =>
      whileHeartbeating(() => finishSalesImport(deps, trainUri, plan, chunks)),
  };
}

export type ImportSalesActivities = ReturnType<typeof importSalesActivities>;
