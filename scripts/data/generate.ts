// Writes generated Rossmann-format store.csv and train.csv to a directory.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isCalendarDate } from '../../domain/dates.ts';
import { DEFAULT_OPTIONS, generateStores, generateTrain, storeCsv, type GeneratorOptions } from './generator.ts';

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${raw}"`);
  return n;
}

function date(name: string, raw: string | undefined, fallback: string): string {
  if (raw === undefined) return fallback;
  if (!isCalendarDate(raw)) throw new Error(`--${name} must be a date YYYY-MM-DD, got "${raw}"`);
  return raw;
}

export function generate(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: '.data/generated' },
      stores: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      products: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const opts: GeneratorOptions = {
    seed: positiveInt('seed', values.seed, DEFAULT_OPTIONS.seed, 0),
    stores: positiveInt('stores', values.stores, DEFAULT_OPTIONS.stores),
    from: date('from', values.from, DEFAULT_OPTIONS.from),
    to: date('to', values.to, DEFAULT_OPTIONS.to),
    products: positiveInt('products', values.products, DEFAULT_OPTIONS.products, 0),
  };
  if (opts.from > opts.to) throw new Error(`--from ${opts.from} is after --to ${opts.to}`);
  const out = path.resolve(values.out);
  mkdirSync(out, { recursive: true });
  const t0 = performance.now();
  const stores = generateStores(opts);
  writeFileSync(path.join(out, 'store.csv'), storeCsv(stores));
  const fd = openSync(path.join(out, 'train.csv'), 'w');
  let rows: number;
  try {
    rows = generateTrain(opts, stores, (chunk) => {
      writeSync(fd, chunk);
    });
  } finally {
    closeSync(fd);
  }
  console.log(
    `[data] wrote ${stores.length} stores and ${rows.toLocaleString('en')} sales rows to ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
