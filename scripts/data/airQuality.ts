// `npm run data -- generate-air-quality` writes generated data as AirQualityUCI.csv;
// `npm run data -- import-air-quality AirQualityUCI.csv` uploads a file to gs://<bucket>/imports/<id>/
// and runs the importAirQuality workflow on it (the stack's Temporal and an ingest worker must be
// up), printing its summary. Readings and rejections are named by the local file
// (import:<absolute path>), so importing it again writes nothing twice.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { airQualityImportWorkflowId, type ImportAirQualityResult } from '../../contracts/airQuality.ts';
import { newImportId } from '../../contracts/imports.ts';
import { config } from '../../platform/config.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import { localSource } from '../../platform/transactionImport.ts';
import type { importAirQuality } from '../../workflows/importAirQuality.ts';
import { DEFAULT_AIR_QUALITY_OPTIONS, generateAirQuality } from './airQualityGenerator.ts';
import { checkIngestWorker, connect, runFailure } from './import.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';

const n = (x: number) => x.toLocaleString('en');

function whole(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${raw}"`);
  return v;
}

export function generateAirQualityCommand(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: '.data/generated/air-quality' },
      rows: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const rows = whole('rows', values.rows, DEFAULT_AIR_QUALITY_OPTIONS.rows, 1);
  const seed = whole('seed', values.seed, DEFAULT_AIR_QUALITY_OPTIONS.seed, 0);
  const out = path.resolve(values.out);
  mkdirSync(out, { recursive: true });
  const file = path.join(out, 'AirQualityUCI.csv');
  writeFileSync(file, generateAirQuality({ rows, seed }));
  console.log(`[data] wrote ${file} (${n(rows)} hourly rows)`);
}

export async function importAirQualityCommand(argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true });
  if (positionals.length !== 1)
    throw new Error('import-air-quality needs one file: npm run data -- import-air-quality AirQualityUCI.csv');
  const file = positionals[0]!;
  const cfg = config();
  const client = await connect(cfg);
  try {
    await checkIngestWorker(client, cfg);
    const id = newImportId();
    const uri = await new ObjectStore(cfg.gcs).upload(file, `imports/${id}/${path.basename(file)}`);
    const handle = await client.workflow.start<typeof importAirQuality>('importAirQuality', {
      workflowId: airQualityImportWorkflowId(id),
      taskQueue: cfg.temporal.taskQueues.ingest,
      args: [{ uri, source: localSource(file) }],
      typedSearchAttributes: runSearchAttributes({ pipeline: 'import-air-quality' }),
    });
    console.log(
      `[data] import ${handle.workflowId} started: ${workflowUrl(cfg.temporal, handle.workflowId, handle.firstExecutionRunId)}`,
    );
    report(await handle.result().catch(runFailure(handle.workflowId)));
  } finally {
    await client.connection.close();
  }
}

function report(r: ImportAirQualityResult): void {
  console.log(
    `[data] air quality: read ${n(r.read)}, loaded ${n(r.loaded)} (${n(r.written)} new or changed), rejected ${n(r.rejected)}, ` +
      `blank lines ${n(r.blank)}; hours ${r.first ?? '-'} to ${r.last ?? '-'}`,
  );
  console.log(
    `[data] missing (-200): ${Object.entries(r.missing)
      .map(([c, k]) => `${c} ${n(k)}`)
      .join(', ')}`,
  );
  if (r.rejectedRows) console.log(`[data] rejected lines: ${r.rejectedRows}`);
}
