// Polling for integration tests: wait for a state of the real stack instead of sleeping a guess.

export interface UntilOptions {
  /** Give up after this long (default 60 s). */
  seconds?: number;
  /** More to say when giving up, e.g. a process's last output. */
  context?: () => string;
}

/**
 * Polls `check` every 100 ms until it gives a value other than undefined or false, and returns it.
 * A check that throws is tried again; giving up names what was awaited and the last error.
 */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: UntilOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.seconds ?? 60) * 1000;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(
        `gave up waiting for ${what} after ${options.seconds ?? 60} s${why}${options.context ? `\n${options.context()}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
