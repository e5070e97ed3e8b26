// The Temporal SDK's logs (its own and the Rust core's, forwarded) through the worker's pino logger:
// one format, no colour codes in log files. While the server is unreachable the core warns about
// every retried poll (hundreds of lines a minute); those are summed up in one line a minute.
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import type { Logger } from '../platform/logger.ts';

const RETRY_WARNING = /retried \d+ times/;
const RETRY_SUMMARY_MS = 60_000;

export function sdkLogger(log: Logger): SdkLogger {
  let retriesSince = 0;
  let lastSummary = -Infinity;
  const write = (level: LogLevel, message: string, meta: LogMetadata = {}) => {
    if (RETRY_WARNING.test(message)) {
      retriesSince++;
      if (Date.now() - lastSummary < RETRY_SUMMARY_MS) return;
      log.warn(
        { dependency: 'temporal', retriedCalls: retriesSince, error: meta.error },
        'temporal unavailable; the worker keeps retrying',
      );
      lastSummary = Date.now();
      retriesSince = 0;
      return;
    }
    log[level.toLowerCase() as Lowercase<LogLevel>]({ ...meta, sdk: true }, message);
  };
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}
