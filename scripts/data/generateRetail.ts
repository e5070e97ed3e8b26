// `npm run data -- generate-retail`: writes generated Online Retail data as the UCI export (one
// online_retail.csv) or as Spark's daily files (by-day/YYYY-MM-DD.csv, one per trading day).
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_RETAIL_OPTIONS,
  generateRetail,
  MIN_RETAIL_ROWS,
  RETAIL_HEADER,
  retailCsvLine,
} from './onlineRetailGenerator.ts';

function whole(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${raw}"`);
  return n;
}

/** Buffers lines into one file at a time; `to` switches files (closing the last). */
function fileWriter() {
  let fd: number | undefined;
  let buffer = '';
  const flush = () => {
    if (fd !== undefined && buffer) writeSync(fd, buffer);
    buffer = '';
  };
  return {
    to(file: string) {
      flush();
      if (fd !== undefined) closeSync(fd);
      fd = openSync(file, 'w');
      buffer = `${RETAIL_HEADER}\n`;
    },
    write(line: string) {
      buffer += `${line}\n`;
      if (buffer.length > 1 << 20) flush();
    },
    close() {
      flush();
      if (fd !== undefined) closeSync(fd);
    },
  };
}

export function generateRetailCommand(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: '.data/generated' },
      customers: { type: 'string' },
      rows: { type: 'string' },
      seed: { type: 'string' },
      format: { type: 'string', default: 'uci' },
    },
  });
  const format = values.format;
  if (format !== 'uci' && format !== 'daily') throw new Error(`--format must be uci or daily, got "${format}"`);
  const opts = {
    seed: whole('seed', values.seed, DEFAULT_RETAIL_OPTIONS.seed, 0),
    customers: whole('customers', values.customers, DEFAULT_RETAIL_OPTIONS.customers, 1),
    rows: whole('rows', values.rows, DEFAULT_RETAIL_OPTIONS.rows, MIN_RETAIL_ROWS),
  };
  const out = path.resolve(values.out, format === 'daily' ? 'by-day' : '');
  mkdirSync(out, { recursive: true });
  const t0 = performance.now();
  const writer = fileWriter();
  let day = '';
  let files = 0;
  try {
    if (format === 'uci') {
      writer.to(path.join(out, 'online_retail.csv'));
      files++;
    }
    generateRetail(opts, (line) => {
      if (format === 'daily' && line.at.slice(0, 10) !== day) {
        day = line.at.slice(0, 10);
        writer.to(path.join(out, `${day}.csv`));
        files++;
      }
      writer.write(retailCsvLine(line, format));
    });
  } finally {
    writer.close();
  }
  console.log(
    `[data] wrote ${opts.rows.toLocaleString('en')} Online Retail lines (${format}, ${files} file(s)) to ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
