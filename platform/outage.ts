// Telling a lost dependency apart from a bug, and saying so once: a database restart or a Temporal
// outage is logged in one line when it starts and one when it ends, never per failed call.
import type { Logger } from './logger.ts';

export type Dependency = 'postgres' | 'temporal';

/** A call failed because a service the process needs does not answer; the caller may retry later. */
export class DependencyUnavailable extends Error {
  override name = 'DependencyUnavailable';
  constructor(
    readonly dependency: Dependency,
    cause?: unknown,
  ) {
    super(`${dependency} is unavailable${cause instanceof Error ? ` (${cause.message})` : ''}`, { cause });
  }
}

/** The error and its causes, outermost first (AggregateError's members included). */
export function* causes(err: unknown, depth = 0): Generator<unknown> {
  if (err === undefined || err === null || depth > 8) return;
  yield err;
  if (err instanceof AggregateError) for (const e of err.errors) yield* causes(e, depth + 1);
  if (err instanceof Error) yield* causes(err.cause, depth + 1);
}

export interface OutageLog {
  /** A call failed for want of the dependency: logged if it is the first since it was last reachable. */
  down(err: unknown): void;
  /** The dependency answered: logged if it had been down. */
  up(): void;
}

/** A failure this long after the last one starts a new outage: callers that never see recovery still log again. */
const QUIET_MS = 60_000;

export function outageLog(log: Logger, dependency: Dependency): OutageLog {
  let downSince: number | undefined;
  let lastFailure = -Infinity;
  return {
    down(err) {
      const now = Date.now();
      const ongoing = downSince !== undefined && now - lastFailure < QUIET_MS;
      lastFailure = now;
      if (ongoing) return;
      downSince = now;
      // The innermost cause says what happened ("connect ECONNREFUSED"), wrappers only where.
      const e = [...causes(err)].reverse().find((c): c is Error & { code?: unknown } => c instanceof Error);
      log.warn({ dependency, error: e?.message ?? String(err), code: e?.code }, `${dependency} unavailable; retrying`);
    },
    up() {
      if (downSince === undefined) return;
      log.info({ dependency, downSeconds: (Date.now() - downSince) / 1000 }, `${dependency} reachable again`);
      downSince = undefined;
    },
  };
}
