// `npm run data -- import-retail <file|folder|glob>... [--chunk-lines N]`: uploads Online Retail files
// (the UCI export, or a folder or glob of Spark's daily files) to gs://<bucket>/imports/<id>/ and
// runs the importTransactions workflow on them (the stack's Temporal and an ingest worker must be
// up), printing its progress while it runs and its summary at the end. The rows and rejections
// are named by the local file (import:<absolute path>), so importing it again writes nothing twice.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { newImportId } from '../../contracts/imports.ts';
import {
  transactionImportProgressQuery,
  transactionImportWorkflowId,
  type ImportTransactionsInput,
  type ImportTransactionsResult,
  type TransactionImportProgress,
} from '../../contracts/transactionImports.ts';
import { config } from '../../platform/config.ts';
import { retailFiles } from '../../platform/onlineRetailCsv.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import { localSource } from '../../platform/transactionImport.ts';
import type { importTransactions } from '../../workflows/importTransactions.ts';
import { checkIngestWorker, connect, follow } from './import.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';

const USAGE = 'import-retail needs a file, folder or glob: npm run data -- import-retail online_retail.csv';
/** Uploads at once: a folder of daily files is hundreds of small ones. */
const UPLOADS_AT_ONCE = 8;

const n = (x: number) => x.toLocaleString('en');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function chunkLines(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const lines = Number(raw);
  if (!Number.isInteger(lines) || lines < 1) throw new Error(`--chunk-lines must be a whole number >= 1, got "${raw}"`);
  return lines;
}

const progressLine = (p: TransactionImportProgress) =>
  p.stage === 'importing'
    ? `[data] transactions: ${p.filesDone} of ${p.files} file(s) done, ${n(p.read)} lines read in ${p.chunksDone} chunk(s), ` +
      `${p.bytesTotal ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 0}% of ${mb(p.bytesTotal)}; loaded ${n(p.loaded)}, rejected ${n(p.rejected)}`
    : `[data] ${p.stage}`;

export async function importRetailCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'chunk-lines': { type: 'string' } },
    allowPositionals: true,
  });
  if (!positionals.length) throw new Error(USAGE);
  const lines = chunkLines(values['chunk-lines']);
  // A glob the shell expanded arrives as many files: each is a file, folder or glob of its own.
  const files = [...new Set((await Promise.all(positionals.map(retailFiles))).flat())];
  const cfg = config();
  const client = await connect(cfg);
  try {
    await checkIngestWorker(client, cfg);
    const id = newImportId();
    const store = new ObjectStore(cfg.gcs);
    const uris: string[] = [];
    for (let i = 0; i < files.length; i += UPLOADS_AT_ONCE) {
      const batch = files.slice(i, i + UPLOADS_AT_ONCE);
      uris.push(...(await Promise.all(batch.map((f) => store.upload(f, `imports/${id}/${path.basename(f)}`)))));
    }
    console.log(
      `[data] uploaded ${files.length === 1 ? files[0] : `${files.length} files`} to gs://${cfg.gcs.bucket}/imports/${id}/`,
    );
    const input: ImportTransactionsInput = {
      uris,
      sources: files.map(localSource),
      ...(lines ? { chunkLines: lines } : {}),
    };
    const handle = await client.workflow.start<typeof importTransactions>('importTransactions', {
      workflowId: transactionImportWorkflowId(id),
      taskQueue: cfg.temporal.taskQueues.ingest,
      args: [input],
      typedSearchAttributes: runSearchAttributes({ pipeline: 'import-transactions' }),
    });
    console.log(
      `[data] import ${handle.workflowId} started: ${workflowUrl(cfg.temporal, handle.workflowId, handle.firstExecutionRunId)}`,
    );
    const t0 = performance.now();
    const result = await follow(handle, transactionImportProgressQuery, progressLine);
    report(result, (performance.now() - t0) / 1000);
  } finally {
    await client.connection.close();
  }
}

function report(r: ImportTransactionsResult, seconds: number): void {
  const chunks = r.files.reduce((a, f) => a + f.chunks, 0);
  console.log(
    `[data] transactions: read ${n(r.read)}, loaded ${n(r.loaded)} (${n(r.written)} new or changed), rejected ${n(r.rejected)}` +
      ` in ${r.files.length} file(s), ${chunks} chunk(s); ${seconds.toFixed(1)} s (${n(Math.round(r.read / seconds))} lines/s)`,
  );
  if (r.rejectedRows) console.log(`[data] rejected lines: ${r.rejectedRows}`);
}
