// The worker threads that fit models, one per core, started on first use (an importer or API
// process that never fits starts none).
import os from 'node:os';
import { Piscina } from 'piscina';
import type { SeriesTrainingResult } from '../../ml/forecast/trainSeries.ts';
import type { FitTask } from './fitTask.ts';

export class FitPool {
  private pool: Piscina<FitTask, SeriesTrainingResult[]> | undefined;

  constructor(private readonly threads = os.availableParallelism()) {}

  run(task: FitTask, signal?: AbortSignal): Promise<SeriesTrainingResult[]> {
    this.pool ??= new Piscina({
      filename: new URL('./fitThread.mjs', import.meta.url).href,
      maxThreads: this.threads,
      minThreads: this.threads,
    });
    return this.pool.run(task, signal ? { signal } : {});
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }
}
