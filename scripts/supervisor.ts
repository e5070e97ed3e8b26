// Keeps a set of processes running: one that dies is started again after a backoff (doubling,
// reset once it has stayed up a while), the others are left alone. Only stop() ends them, in the
// reverse order of their start.

/** A started process: its pid, why it ended (a signal or an exit code), and how to stop it. */
export interface Running {
  pid: number;
  exited: Promise<string>;
  /** Stops it and waits until it has ended; false when it is one to leave running. */
  stop: () => Promise<boolean>;
}

export interface Supervised {
  name: string;
  start: () => Promise<Running>;
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** Up this long, a process counts as healthy again: its next restart waits initialMs. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

interface Entry {
  proc: Supervised;
  running?: Running;
  /** A restart under way, awaited by stop() so that nothing it starts is left behind. */
  starting?: Promise<Running>;
  startedAt: number;
  /** Restarts since it last stayed up resetAfterMs. */
  failures: number;
  restarts: number;
}

/** A start that finished after stop() began: the process was stopped again at once. */
export class StoppingError extends Error {
  constructor(name: string) {
    super(`${name} was not kept: stopping`);
  }
}

const duration = (ms: number) => (ms < 1_000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`);

export class Supervisor {
  private readonly entries: Entry[] = [];
  private stopping = false;
  private readonly sleepers = new Set<() => void>();
  private shuttingDown = false;
  private afterStop: () => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly log: (msg: string) => void,
    private readonly backoff: Backoff = DEFAULT_BACKOFF,
  ) {}

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Starts a process (a failure of this first start is thrown) and restarts it whenever it dies. */
  async add(proc: Supervised): Promise<Running> {
    const running = await proc.start();
    if (this.stopping) {
      await running.stop();
      throw new StoppingError(proc.name);
    }
    const entry: Entry = { proc, running, startedAt: Date.now(), failures: 0, restarts: 0 };
    this.entries.push(entry);
    void this.watch(entry, running);
    return running;
  }

  /** Stops every process, last started first, and waits until each has ended (or is left running). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.sleepers) wake();
    await Promise.all(this.entries.map((e) => e.starting?.catch(() => undefined) ?? Promise.resolve()));
    for (const entry of [...this.entries].reverse()) {
      if (!entry.running) continue;
      this.log(
        `${entry.proc.name} ${(await entry.running.stop()) ? 'stopped' : 'left running (not started by this run)'}`,
      );
    }
  }

  /**
   * On SIGINT, SIGTERM or SIGHUP to this process (npm passes them on: `npm start` execs it), stops
   * everything, then runs `after` and exits 0.
   */
  exitOnSignals(after?: () => Promise<void>): void {
    if (after) this.afterStop = after;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void this.shutdown(0));
  }

  /** Stops everything, runs the `after` of exitOnSignals, and exits with `code`; once. */
  async shutdown(code: number): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.log('stopping');
    await this.stop();
    await this.afterStop();
    this.log('stopped');
    process.exit(code);
  }

  private async watch(entry: Entry, first: Running): Promise<void> {
    const { name } = entry.proc;
    let ended = `exited (${await first.exited})`;
    while (!this.stopping) {
      entry.running = undefined;
      if (Date.now() - entry.startedAt >= this.backoff.resetAfterMs) entry.failures = 0;
      const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** entry.failures);
      entry.failures += 1;
      entry.restarts += 1;
      this.log(`${name} ${ended}; restarting in ${duration(delay)} (restart ${entry.restarts})`);
      await this.sleep(delay);
      if (this.stopping) return;
      entry.startedAt = Date.now();
      try {
        entry.starting = entry.proc.start();
        const running = await entry.starting;
        entry.running = running;
        if (this.stopping) return;
        this.log(`${name} restarted (pid ${running.pid})`);
        ended = `exited (${await running.exited})`;
      } catch (err) {
        ended = `failed to start (${(err as Error).message.split('\n')[0]})`;
      } finally {
        entry.starting = undefined;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}
