// Demo data for `npm start`, loaded once into an empty database: 50 generated stores with 180 days
// of history through the bulk importer, then yesterday's sales sent as events to the API, ready for
// the daily ingest to pick up; and a year of Online Retail transactions for the segmentation.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { closeDataDeps, createDataDeps } from '../platform/deps.ts';
import type { Config } from '../platform/config.ts';
import { addDays, todayUtc } from '../domain/dates.ts';
import { generate } from './data/generate.ts';
import { importStores } from '../platform/storeImport.ts';
import { scoringVersion } from '../platform/tabularPredictions.ts';
import { importTrain } from '../platform/salesImport.ts';
import { hasSales } from '../platform/sales.ts';
import { trainRecordToEvent } from '../platform/trainRows.ts';
import { hasTransactions } from '../platform/transactions.ts';
import { importTransactions } from '../platform/transactionImport.ts';
import { generateRetailCommand } from './data/generateRetail.ts';

const DEMO_STORES = 50;
const HISTORY_DAYS = 180;

/** Returns yesterday's date when it loaded demo data, undefined when the database had sales already. */
export async function ensureDemoData(cfg: Config, apiUrl: string, apiKey: string): Promise<string | undefined> {
  const deps = createDataDeps(cfg, 'retailflow-demo');
  try {
    if (await hasSales(deps.pool)) return undefined;
    const yesterday = addDays(todayUtc(), -1);
    const dir = path.join(cfg.stack.dataDir, 'demo');
    generate([
      '--out',
      path.join(dir, 'history'),
      '--stores',
      String(DEMO_STORES),
      '--from',
      addDays(yesterday, -HISTORY_DAYS),
      '--to',
      addDays(yesterday, -1),
    ]);
    generate([
      '--out',
      path.join(dir, 'yesterday'),
      '--stores',
      String(DEMO_STORES),
      '--from',
      yesterday,
      '--to',
      yesterday,
    ]);
    await importStores(deps.pool, path.join(dir, 'history', 'store.csv'));
    const summary = await importTrain(deps, path.join(dir, 'history', 'train.csv'));
    console.log(`[demo] imported ${summary.loaded} history rows (${summary.months} months into BigQuery)`);
    const records = parse<Record<string, string>>(await readFile(path.join(dir, 'yesterday', 'train.csv')), {
      columns: true,
    });
    const res = await fetch(`${apiUrl}/v1/sales/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(records.map(trainRecordToEvent)),
    });
    if (!res.ok) throw new Error(`POST /v1/sales/events answered ${res.status}: ${await res.text()}`);
    console.log(
      `[demo] sent ${records.length} events for ${yesterday}: ${JSON.stringify(await res.json()).slice(0, 200)}`,
    );
    return yesterday;
  } finally {
    await closeDataDeps(deps);
  }
}

const DEMO_CUSTOMERS = 1000;
const DEMO_RETAIL_LINES = 60_000;

/** Loads generated Online Retail transactions when there are none; returns how many it loaded. */
export async function ensureRetailDemoData(cfg: Config): Promise<number | undefined> {
  const deps = createDataDeps(cfg, 'retailflow-demo');
  try {
    if (await hasTransactions(deps.pool)) return undefined;
    const dir = path.join(cfg.stack.dataDir, 'demo', 'retail');
    generateRetailCommand(['--out', dir, '--customers', String(DEMO_CUSTOMERS), '--rows', String(DEMO_RETAIL_LINES)]);
    const summary = await importTransactions(deps.pool, path.join(dir, 'online_retail.csv'));
    console.log(`[demo] imported ${summary.loaded} Online Retail transactions (${summary.rejected} rejected)`);
    return summary.loaded;
  } finally {
    await closeDataDeps(deps);
  }
}

/** Whether bigmart has no production version yet: the demo then trains and scores one. */
export async function needsBigmartDemo(cfg: Config): Promise<boolean> {
  const deps = createDataDeps(cfg, 'retailflow-demo');
  try {
    return !(await scoringVersion(deps.pool, 'bigmart'));
  } finally {
    await closeDataDeps(deps);
  }
}
