// The producer, as in the reference system: loads the last N months of a train.csv with dates
// shifted so its last history day is yesterday, then streams the file's final day as today's sales
// events to the API at a set rate (once, or in a loop with --loop).
//   npm run data -- produce --train train.csv [--stores store.csv] [--months 5] [--rate 100]
//                           [--batch 100] [--api http://127.0.0.1:3000] [--loop]
// The API key comes from RETAILFLOW_API_KEY, or from the local stack's key file.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { closeDataDeps, createDataDeps } from '../../platform/deps.ts';
import { addDays, daysBetween, todayUtc } from '../../domain/dates.ts';
import { config } from '../../platform/config.ts';
import { importStores } from '../../platform/storeImport.ts';
import { importTrain } from '../../platform/salesImport.ts';
import { trainRecordToEvent } from '../../platform/trainRows.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The file's last day and its rows, read line by line (train.csv has no quoted commas). */
async function lastDay(file: string): Promise<{ date: string; records: Record<string, string>[] }> {
  let header: string[] = [];
  let date = '';
  let records: Record<string, string>[] = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const fields = line.split(',');
    if (!header.length) {
      header = fields;
      continue;
    }
    const d = fields[header.indexOf('Date')] ?? '';
    if (d < date || fields.length !== header.length) continue;
    if (d > date) {
      date = d;
      records = [];
    }
    records.push(Object.fromEntries(header.map((h, i) => [h, fields[i]!.replace(/^"(.*)"$/, '$1')])));
  }
  if (!date) throw new Error(`${file} has no data rows`);
  return { date, records };
}

export interface ProduceOptions {
  train: string;
  stores?: string;
  months: number;
  rate: number;
  batch: number;
  api: string;
  apiKey: string;
  loop: boolean;
  today?: string;
  log?: (msg: string) => void;
}

export async function produce(
  o: ProduceOptions,
): Promise<{ history: number; sent: number; accepted: number; rejected: number }> {
  const log = o.log ?? ((m: string) => console.log(`[produce] ${m}`));
  const today = o.today ?? todayUtc();
  const final = await lastDay(o.train);
  const historyTo = addDays(final.date, -1);
  const historyFrom = addDays(historyTo, -Math.round(o.months * 30.44) + 1);
  const shiftDays = daysBetween(historyTo, addDays(today, -1));

  const deps = createDataDeps(config(), 'retailflow-producer');
  let history = 0;
  try {
    if (o.stores) await importStores(deps.pool, o.stores);
    const summary = await importTrain(deps, o.train, {
      shiftDays,
      window: { from: historyFrom, to: historyTo },
      latestDate: today,
    });
    history = summary.loaded;
    log(
      `history ${historyFrom}..${historyTo} shifted by ${shiftDays} days to end ${addDays(today, -1)}: loaded ${summary.loaded}, rejected ${summary.rejected}`,
    );
  } finally {
    await closeDataDeps(deps);
  }

  const events = final.records.map((r) => ({ ...trainRecordToEvent(r), date: today, day_of_week: undefined }));
  let sent = 0,
    accepted = 0,
    rejected = 0;
  do {
    for (let i = 0; i < events.length; i += o.batch) {
      const batch = events.slice(i, i + o.batch);
      const t0 = Date.now();
      const res = await fetch(`${o.api.replace(/\/$/, '')}/v1/sales/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
      if (!res.ok) throw new Error(`POST /v1/sales/events answered ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as { accepted: number; rejected: unknown[] };
      sent += batch.length;
      accepted += body.accepted;
      rejected += body.rejected.length;
      log(`sent ${sent}/${events.length} events for ${today}: ${accepted} accepted, ${rejected} rejected`);
      await sleep(Math.max(0, (batch.length / o.rate) * 1000 - (Date.now() - t0)));
    }
  } while (o.loop);
  return { history, sent, accepted, rejected };
}

export async function produceCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      train: { type: 'string' },
      stores: { type: 'string' },
      months: { type: 'string', default: '5' },
      rate: { type: 'string', default: '100' },
      batch: { type: 'string', default: '100' },
      api: { type: 'string' },
      loop: { type: 'boolean', default: false },
    },
  });
  if (!values.train) throw new Error('produce needs --train train.csv');
  const cfg = config();
  const keyFile = path.join(cfg.stack.dataDir, 'api-key');
  const apiKey = process.env.RETAILFLOW_API_KEY ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '');
  if (!apiKey)
    throw new Error(`set RETAILFLOW_API_KEY to a key with the write role (or run npm start, which writes ${keyFile})`);
  const number = (name: string, v: string) => {
    const n = Number(v);
    if (!(n > 0)) throw new Error(`--${name} must be a positive number, got "${v}"`);
    return n;
  };
  await produce({
    train: values.train,
    stores: values.stores,
    months: number('months', values.months),
    rate: number('rate', values.rate),
    batch: Math.floor(number('batch', values.batch)),
    api: values.api ?? `http://${cfg.api.host}:${cfg.api.port}`,
    apiKey,
    loop: values.loop,
  });
}
