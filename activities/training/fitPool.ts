// The worker threads that fit models, one per core: started by a training worker when it starts
// (`start`), elsewhere on first use (an importer or API process that never fits starts none).
import os from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { SegmentCountFit } from '../../contracts/segmentation.ts';
import type { ChosenTrainingResult, GlobalFitProgress } from '../../ml/forecast/trainWithGlobal.ts';
import type { FitTask } from './fitTask.ts';
import type { GlobalFitTask } from './globalFitTask.ts';
import type { SegmentFitTask } from './segmentFitTask.ts';
import type { TabularRefitTask, TabularTrialTask } from './tabularTrialTask.ts';
import type { MetricSummary } from '../../ml/tabular/evaluate.ts';

export class FitPool {
  private pool: Piscina | undefined;

  constructor(private readonly threads = os.availableParallelism()) {}

  /** Trains a batch of forecast series. */
  run(task: FitTask, signal?: AbortSignal): Promise<ChosenTrainingResult[]> {
    return this.threadPool().run(task, signal ? { signal } : {});
  }

  /**
   * Fits a weekly run's global model; its parameters as JSON (null: no series can train it).
   * `onProgress` hears the trees done after each one.
   */
  async fitGlobalModel(
    task: Omit<GlobalFitTask, 'progress'>,
    signal?: AbortSignal,
    onProgress?: (p: GlobalFitProgress) => void,
  ): Promise<string | null> {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (p: GlobalFitProgress) => onProgress?.(p));
    try {
      return (await this.threadPool().run(
        { ...task, progress: port2 },
        { name: 'fitGlobalModel', transferList: [port2], ...(signal ? { signal } : {}) },
      )) as string | null;
    } finally {
      port1.close();
    }
  }

  /** Fits one k of a segmentation. */
  fitSegments(task: SegmentFitTask, signal?: AbortSignal): Promise<SegmentCountFit> {
    return this.threadPool().run(task, { name: 'fitSegments', ...(signal ? { signal } : {}) });
  }

  /** Cross-validates one tabular trial. */
  crossValidateTrial(task: TabularTrialTask, signal?: AbortSignal): Promise<MetricSummary> {
    return this.threadPool().run(task, { name: 'crossValidateTrial', ...(signal ? { signal } : {}) });
  }

  /** Refits a tabular trial on every training row: the fitted model's JSON. */
  refitTabularTrial(task: TabularRefitTask, signal?: AbortSignal): Promise<string> {
    return this.threadPool().run(task, { name: 'refitTrial', ...(signal ? { signal } : {}) });
  }

  /** Starts the threads now: each loads its modules (seconds of CPU) before a run's first shard needs it. */
  start(): void {
    this.threadPool();
  }

  private threadPool(): Piscina {
    this.pool ??= new Piscina({
      filename: new URL('./fitThread.mjs', import.meta.url).href,
      maxThreads: this.threads,
      minThreads: this.threads,
    });
    return this.pool;
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }
}
