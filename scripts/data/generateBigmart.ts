// `npm run data -- generate-bigmart`: writes generated BigMart data as the real Train.csv and Test.csv.
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  BIGMART_TEST_HEADER,
  BIGMART_TRAIN_HEADER,
  bigmartCsv,
  DEFAULT_BIGMART_OPTIONS,
  generateBigMart,
  MIN_BIGMART_ROWS,
} from './bigmartGenerator.ts';

function whole(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${raw}"`);
  return n;
}

export function generateBigmartCommand(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: '.data/generated/bigmart' },
      rows: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const opts = {
    seed: whole('seed', values.seed, DEFAULT_BIGMART_OPTIONS.seed, 0),
    rows: whole('rows', values.rows, DEFAULT_BIGMART_OPTIONS.rows, MIN_BIGMART_ROWS),
  };
  const out = path.resolve(values.out);
  mkdirSync(out, { recursive: true });
  const { train, test } = generateBigMart(opts);
  writeFileSync(path.join(out, 'Train.csv'), bigmartCsv(BIGMART_TRAIN_HEADER, train));
  writeFileSync(path.join(out, 'Test.csv'), bigmartCsv(BIGMART_TEST_HEADER, test));
  console.log(`[data] wrote BigMart Train.csv (${train.length} rows) and Test.csv (${test.length} rows) to ${out}`);
}
