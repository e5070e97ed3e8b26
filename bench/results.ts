// What every benchmark does with its results: one JSON line per result on stdout, each stamped
// with the machine and the time (figures mean little without them), all saved together in
// bench/results/<name>.json at the end.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../scripts/stack/paths.ts';

/** Prints and keeps one result. */
export type BenchReport = (result: Record<string, unknown>) => void;

export function benchResults(bench: string) {
  const machine = { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  const results: Record<string, unknown>[] = [];
  const report: BenchReport = (result) => {
    // The 1-minute load average: on a machine other work shares, a figure means little without it.
    const load = Number(os.loadavg()[0]!.toFixed(1));
    const line = { bench, ...result, machine: { ...machine, load }, at: new Date().toISOString() };
    results.push(line);
    console.log(JSON.stringify(line));
  };
  /** Writes this run's results; `keep` picks earlier ones to keep (those a partial run did not measure). */
  const save = async (keep?: (earlier: Record<string, unknown>) => boolean): Promise<void> => {
    const file = path.join(ROOT, `bench/results/${bench}.json`);
    await mkdir(path.dirname(file), { recursive: true });
    const earlier = keep
      ? (JSON.parse(await readFile(file, 'utf8').catch(() => '[]')) as Record<string, unknown>[]).filter(keep)
      : [];
    await writeFile(file, JSON.stringify([...earlier, ...results], null, 2) + '\n');
  };
  return { report, save };
}
