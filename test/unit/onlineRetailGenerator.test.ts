import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { isCancellation, parseRetailRecord, type RetailTransaction } from '../../domain/onlineRetail.ts';
import { readRetailSource } from '../../platform/onlineRetailCsv.ts';
import { Random } from '../../scripts/data/generator.ts';
import { generateRetailCommand } from '../../scripts/data/generateRetail.ts';
import {
  generateRetail,
  RETAIL_HEADER,
  retailCsvLine,
  retailDirt,
  type RetailGeneratorOptions,
} from '../../scripts/data/onlineRetailGenerator.ts';
import { purchaseDays, TRADING_DAYS } from '../../scripts/data/onlineRetailPeople.ts';

const opts: RetailGeneratorOptions = { seed: 11, customers: 400, rows: 20_000 };
function csv(o: RetailGeneratorOptions, format: 'uci' | 'daily' = 'uci') {
  const lines = [RETAIL_HEADER];
  const written = generateRetail(o, (l) => lines.push(retailCsvLine(l, format)));
  return { written, text: lines.join('\n') + '\n' };
}
const transactions = (text: string): RetailTransaction[] =>
  parse<Record<string, string>>(text, { columns: true }).map((r) => {
    const p = parseRetailRecord(r);
    assert.ok(p.ok, JSON.stringify(p));
    return p.value;
  });

describe('Online Retail generator', () => {
  const g = csv(opts);
  const rows = transactions(g.text);

  it('is deterministic by seed and writes exactly the lines asked for', () => {
    assert.equal(csv(opts).text, g.text);
    assert.notEqual(csv({ ...opts, seed: 12 }).text, g.text);
    assert.equal(g.written, opts.rows);
    assert.equal(rows.length, opts.rows);
    assert.equal(transactions(csv({ ...opts, rows: 1000, customers: 4372 }).text).length, 1000);
  });

  it('has the real file dirt at its stated rates, exactly', () => {
    const want = retailDirt(opts.rows);
    const lines = g.text.trimEnd().split('\n').slice(1);
    assert.equal(rows.filter((r) => r.customerId === null).length, want.blankCustomer);
    assert.equal(rows.filter((r) => isCancellation(r)).length, want.cancellation);
    assert.ok(rows.filter(isCancellation).every((r) => r.quantity < 0));
    assert.equal(lines.length - new Set(lines).size, want.duplicate);
    assert.equal(rows.filter((r) => r.unitPrice === 0).length, want.zeroPrice);
    assert.deepEqual(want, { blankCustomer: 4980, cancellation: 342, duplicate: 194, zeroPrice: 92 });
    assert.deepEqual(
      rows
        .filter((r) => Math.abs(r.quantity) > 10_000 || Math.abs(r.unitPrice) > 10_000)
        .map((r) => [r.quantity, r.unitPrice]),
      [
        [1, 38970],
        [-1, 38970],
        [1, -11062.06],
        [80995, 2.08],
        [-80995, 2.08],
      ],
    );
    assert.ok(rows.some((r) => r.invoiceNo.startsWith('A') && r.customerId === null));
    assert.ok(rows.some((r) => r.description?.includes(',')));
  });

  it('every cancellation takes back what its customer bought earlier', () => {
    const bought = new Map<string, string>();
    for (const r of rows) {
      const key = `${r.customerId}|${r.stockCode}|${Math.abs(r.quantity)}|${r.unitPrice}`;
      if (!isCancellation(r)) bought.set(key, r.invoiceDate);
      else assert.ok((bought.get(key) ?? '9') <= r.invoiceDate, `${JSON.stringify(r)} cancels nothing earlier`);
    }
  });

  it('peaks in November, trades on no Saturday, and its customers buy at different rhythms', () => {
    const perMonth = new Map<string, number>();
    for (const r of rows) perMonth.set(r.invoiceDate.slice(0, 7), (perMonth.get(r.invoiceDate.slice(0, 7)) ?? 0) + 1);
    const [top] = [...perMonth].sort((a, b) => b[1] - a[1]);
    assert.equal(top![0], '2011-11');
    const saturdays = rows.filter((r) => new Date(r.invoiceDate.slice(0, 10)).getUTCDay() === 6);
    assert.deepEqual(saturdays, []);
    const invoices = new Map<number, Set<string>>();
    for (const r of rows)
      if (r.customerId !== null) invoices.set(r.customerId, (invoices.get(r.customerId) ?? new Set()).add(r.invoiceNo));
    const counts = [...invoices.values()].map((s) => s.size);
    assert.ok(counts.filter((c) => c === 1).length > 40, 'one-off customers');
    assert.ok(counts.filter((c) => c >= 20).length > 5, 'loyal customers');
    const rng = new Random(1);
    const lapsed = purchaseDays(rng, 'lapsed');
    assert.ok(
      lapsed.every((d) => d <= TRADING_DAYS[Math.ceil(TRADING_DAYS.length * 0.45)]!),
      lapsed.join(' '),
    );
    const loyal = purchaseDays(rng, 'loyal');
    assert.ok(loyal.length >= 20 && loyal.at(-1)! > '2011-10-01', loyal.join(' '));
  });

  it('writes the UCI line and the daily files line as the real files do', () => {
    const line = {
      invoiceNo: '536365',
      stockCode: '85123A',
      description: 'WHITE HANGING HEART T-LIGHT HOLDER',
      quantity: 6,
      at: '2010-12-01 08:26',
      unitPrice: 2.55,
      customerId: 17850,
      country: 'United Kingdom',
    };
    assert.equal(
      retailCsvLine(line, 'uci'),
      '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom',
    );
    assert.equal(
      retailCsvLine({ ...line, description: 'A "B", C', customerId: null }, 'daily'),
      '536365,85123A,"A ""B"", C",6,2010-12-01 08:26:00,2.55,,United Kingdom',
    );
    assert.equal(retailCsvLine(line, 'daily').split(',')[6], '17850.0');
  });

  it('npm run data -- generate-retail --format daily writes one file per day that reads back whole', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'retail-gen-'));
    generateRetailCommand(['--out', out, '--rows', '5000', '--customers', '100', '--seed', '3', '--format', 'daily']);
    const files = await readdir(path.join(out, 'by-day'));
    assert.ok(files.length > 250 && files.every((f) => /^\d{4}-\d{2}-\d{2}\.csv$/.test(f)), files.join(' '));
    const read: RetailTransaction[] = [];
    for await (const l of readRetailSource(path.join(out, 'by-day'))) {
      assert.ok('record' in l, JSON.stringify(l));
      const p = parseRetailRecord(l.record);
      assert.ok(p.ok && p.value.invoiceDate.startsWith(path.basename(l.file, '.csv')), JSON.stringify(l));
      read.push(p.value);
    }
    assert.deepEqual(read, transactions(csv({ seed: 3, customers: 100, rows: 5000 }).text));
  });
});
