// Activities of importTransactions: thin wrappers over platform/transactionImport.ts that read the
// import's files from the project bucket and heartbeat. Each is safe to retry: a chunk writes the
// whole of its lines in one transaction (writing them again changes nothing), and the others read.
import { ApplicationFailure } from '@temporalio/common';
import { objectOfUri } from '../contracts/imports.ts';
import { invalidInput } from '../contracts/failures.ts';
import type {
  TransactionChunkStart,
  TransactionChunkSummary,
  TransactionFile,
  TransactionFileSummary,
} from '../contracts/transactionImports.ts';
import { importTransactionChunk, objectRetailFile, type ChunkProgress } from '../platform/transactionImport.ts';
import { countBySource } from '../platform/transactions.ts';
import type { Deps } from './deps.ts';
import { whileHeartbeating } from './heartbeat.ts';

export function importTransactionsActivities(deps: Deps) {
  const retailFile = ({ uri, source }: TransactionFile, field: string) => {
    const r = objectOfUri(uri, deps.store.bucketName);
    if ('problem' in r) throw invalidInput(field, r.problem);
    return objectRetailFile(deps.store, r.object, source, field);
  };

  return {
    /** The size of each file, checked to be an object of the project bucket. */
    measureTransactionFiles: (uris: string[]): Promise<number[]> =>
      whileHeartbeating(() => Promise.all(uris.map((uri, i) => retailFile({ uri, source: '' }, `uris[${i}]`).size()))),

    /** One chunk of lines of a file, from its byte offset; heartbeats how many it has read. */
    importTransactionChunk: (
      file: TransactionFile,
      chunkLines: number,
      start: TransactionChunkStart,
    ): Promise<TransactionChunkSummary> => {
      const progress: ChunkProgress = { read: 0 };
      return whileHeartbeating(
        () => importTransactionChunk(deps.pool, retailFile(file, 'uris'), chunkLines, start, progress),
        () => ({ file: file.uri, chunk: start.chunk, read: progress.read }),
      );
    },

    /** Checks that each file's source holds exactly the rows and rejections the import counted. */
    reconcileTransactionImport: async (files: TransactionFileSummary[]): Promise<void> => {
      const held = await countBySource(
        deps.pool,
        files.map((f) => f.source),
      );
      const wrong = files.flatMap((f) => {
        const h = held.get(f.source);
        return h?.transactions === f.loaded && h.rejected === f.rejected
          ? []
          : [
              `${f.source}: loaded ${f.loaded}, rejected ${f.rejected}; Postgres holds ${h?.transactions ?? 0} rows and ${h?.rejected ?? 0} rejections`,
            ];
      });
      if (wrong.length)
        throw ApplicationFailure.nonRetryable(
          `import does not reconcile (was another import of the same files running? rerun it): ${wrong.join('; ')}`,
          'ReconciliationMismatch',
        );
    },
  };
}

export type ImportTransactionsActivities = ReturnType<typeof importTransactionsActivities>;
