// `npm run data -- import`: uploads a Rossmann store.csv and/or train.csv to the project bucket and
// runs the importSales workflow on them (the stack's Temporal and an ingest worker must be up),
// printing its progress while it runs and its summary at the end. Every bad line is kept in
// rejected_rows with its line number and reason; the sales rows of a rejected store are counted
// apart, as that store's cascade. A worker that dies mid-import is replaced by another, which goes
// on from the chunk it was in; rerunning an import duplicates nothing.
import { parseArgs } from 'node:util';
import { WorkflowFailedError, type Client, type QueryDefinition, type WorkflowHandle } from '@temporalio/client';
import {
  importProgressQuery,
  importWorkflowId,
  newImportId,
  type ImportProgress,
  type ImportSalesInput,
  type ImportSalesResult,
} from '../../contracts/imports.ts';
import { config, type Config } from '../../platform/config.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { connectClient, failureReason, workflowUrl } from '../../platform/temporal.ts';
import type { importSales } from '../../workflows/importSales.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';

/** The share of a file's lines that may be rejected before the import counts as failed. */
export const DEFAULT_MAX_REJECTED_SHARE = 0.05;

const n = (x: number) => x.toLocaleString('en');
const percent = (x: number) => `${Number((x * 100).toFixed(2))}%`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function maxRejectedShare(raw: string | undefined): number {
  const share = raw === undefined ? DEFAULT_MAX_REJECTED_SHARE : Number(raw);
  if (raw?.trim() === '' || !(share >= 0 && share <= 1))
    throw new Error(`--max-rejected-share must be a number from 0 to 1, got "${raw}"`);
  return share;
}

function chunkLines(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const lines = Number(raw);
  if (!Number.isInteger(lines) || lines < 2) throw new Error(`--chunk-lines must be a whole number >= 2, got "${raw}"`);
  return lines;
}

export async function connect(cfg: Config): Promise<Client> {
  try {
    return await connectClient(cfg.temporal);
  } catch (err) {
    throw new Error(
      `Temporal is not reachable at ${cfg.temporal.address} (${(err as Error).message}): the import runs as a workflow, ` +
        'so start the stack first (npm start), or point TEMPORAL_ADDRESS at it',
    );
  }
}

const progressLine = (p: ImportProgress) =>
  p.stage === 'sales'
    ? `[data] sales: ${n(p.read)} rows read in ${p.chunksDone} chunk(s), ${p.bytesTotal ? percent(p.bytesDone / p.bytesTotal) : '0%'} of ${mb(p.bytesTotal)}; loaded ${n(p.loaded)}, rejected ${n(p.rejected)}`
    : `[data] ${p.stage}`;

/** Waits for a workflow, printing its progress (when it changed) about every second; its failure says why (runFailure). */
export async function follow<R, P>(
  handle: Pick<WorkflowHandle, 'query' | 'workflowId'> & { result(): Promise<R> },
  progress: QueryDefinition<P>,
  progressLine: (p: P) => string,
): Promise<R> {
  const result = handle.result().catch(runFailure(handle.workflowId));
  let last = '';
  for (;;) {
    const settled = await Promise.race([
      result.then(
        () => true,
        () => true,
      ),
      new Promise<false>((r) => setTimeout(() => r(false), 1_000)),
    ]);
    if (settled) return result;
    // No answer (no worker yet, a worker restarting) is no news.
    const line = await handle.query(progress).then(progressLine, () => '');
    if (line && line !== last) console.log(line);
    if (line) last = line;
  }
}

/** Says so when no worker polls the ingest queue: the import waits for one. */
export async function checkIngestWorker(client: Client, cfg: Config): Promise<void> {
  const queue = cfg.temporal.taskQueues.ingest;
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: cfg.temporal.namespace,
    taskQueue: { name: queue },
  });
  if (!pollers?.length)
    console.log(`[data] no worker polls the ${queue} task queue yet: the import waits for one (npm run worker)`);
}

/** A failed workflow as an error saying which run failed and why (its innermost cause). */
export const runFailure =
  (workflowId: string) =>
  (err: unknown): never => {
    if (err instanceof WorkflowFailedError)
      throw new Error(`${workflowId} failed: ${failureReason(err)}`, { cause: err });
    throw err;
  };

export async function importCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      train: { type: 'string' },
      stores: { type: 'string' },
      'no-warehouse': { type: 'boolean', default: false },
      'max-rejected-share': { type: 'string' },
      'chunk-lines': { type: 'string' },
    },
  });
  if (!values.train && !values.stores) throw new Error('import needs --train train.csv and/or --stores store.csv');
  const maxShare = maxRejectedShare(values['max-rejected-share']);
  const cfg = config();
  const client = await connect(cfg);
  try {
    await checkIngestWorker(client, cfg);
    const id = newImportId();
    const store = new ObjectStore(cfg.gcs);
    const input: ImportSalesInput = { warehouse: !values['no-warehouse'] };
    const lines = chunkLines(values['chunk-lines']);
    if (lines) input.chunkLines = lines;
    for (const [kind, file] of [
      ['stores', values.stores],
      ['train', values.train],
    ] as const) {
      if (!file) continue;
      const uri = await store.upload(file, `imports/${id}/${kind === 'stores' ? 'store.csv' : 'train.csv'}`);
      console.log(`[data] uploaded ${file} to ${uri}`);
      input[kind === 'stores' ? 'storesUri' : 'trainUri'] = uri;
    }
    const handle = await client.workflow.start<typeof importSales>('importSales', {
      workflowId: importWorkflowId(id),
      taskQueue: cfg.temporal.taskQueues.ingest,
      args: [input],
      typedSearchAttributes: runSearchAttributes({ pipeline: 'import-sales' }),
    });
    console.log(
      `[data] import ${handle.workflowId} started: ${workflowUrl(cfg.temporal, handle.workflowId, handle.firstExecutionRunId)}`,
    );
    const t0 = performance.now();
    const result = await follow(handle, importProgressQuery, progressLine);
    report(result, maxShare, (performance.now() - t0) / 1000);
  } finally {
    await client.connection.close();
  }
}

/** Prints the summary; throws when a file rejected more than the allowed share (checked after both, so a bad store file still shows its cascade). */
function report(result: ImportSalesResult, maxShare: number, seconds: number): void {
  const tooMany: string[] = [];
  const check = (what: string, rejected: number, of: number) => {
    if (of && rejected / of > maxShare) tooMany.push(`${n(rejected)} of ${n(of)} ${what} (${percent(rejected / of)})`);
  };
  const { stores: s, sales: t } = result;
  if (s) {
    console.log(
      `[data] stores: read ${n(s.read)}, loaded ${n(s.loaded)}, rejected ${n(s.rejected)}` +
        (s.rejected ? ` (see rejected_rows where source = '${s.source}')` : ''),
    );
    check('stores', s.rejected, s.read);
  }
  if (t) {
    console.log(
      `[data] sales: read ${n(t.read)}, loaded ${n(t.loaded)}, rejected ${n(t.rejected)}` +
        ` (see rejected_rows where source = '${t.source}'); ${t.months} month(s) loaded into BigQuery; ${t.chunks} chunk(s); ${seconds.toFixed(1)} s`,
    );
    if (t.rejectedWithStore) {
      console.log(
        `[data] ${n(t.rejectedWithStore)} rows rejected because their store was rejected; ${n(t.rejected - t.rejectedWithStore)} for other reasons`,
      );
    }
    if (t.counts)
      console.log(
        `[data] rows of the imported dates: postgres ${n(t.counts.postgres)}, gcs ${n(t.counts.gcs)}, bigquery ${n(t.counts.bigquery)}`,
      );
    check('sales rows', t.rejected, t.read - t.skipped);
  }
  if (tooMany.length) {
    throw new Error(
      `rejected more than ${percent(maxShare)} of the input: ${tooMany.join('; ')}. The rest is loaded; ` +
        'fix the files and rerun (nothing is duplicated), or allow more with --max-rejected-share',
    );
  }
}
