// The worker's pino logger, and the Temporal SDK's logs (its own, the Rust core's, the workflows'
// `log` and the activities' `Context.current().log`) through it: one format, no colour codes in log
// files. Every line written while an activity runs, by the SDK or by our own code, names the
// workflow id, run id, workflow type and activity type; the workflows' lines name their workflow,
// run and type. While the server is unreachable the core warns about every retried poll (hundreds
// of lines a minute); those are summed up in one line a minute.
import { asyncLocalStorage } from '@temporalio/activity';
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { createLogger, type Logger, type LoggerOptions } from '../platform/logger.ts';

const RETRY_WARNING = /retried \d+ times/;
const RETRY_SUMMARY_MS = 60_000;

/** The activity this line is written in, if any: the fields the SDK gives its own activity lines, spelled as the workflows' (`runId`). */
export function activityLogFields(): object {
  const info = asyncLocalStorage.getStore()?.info;
  if (!info) return {};
  return {
    workflowId: info.workflowExecution?.workflowId,
    runId: info.workflowExecution?.runId,
    workflowType: info.workflowType,
    activityType: info.activityType,
    activityId: info.activityId,
    attempt: info.attempt,
  };
}

export const workerLogger = (level: string, destination?: LoggerOptions['destination']): Logger =>
  createLogger('worker', level, { mixin: activityLogFields, destination });

/** The SDK's metadata as our lines carry it: the activity's run id as `runId`, without the (long, opaque) task token. */
function fields(meta: LogMetadata): LogMetadata {
  const out: LogMetadata = { ...meta };
  delete out.taskToken;
  if ('workflowRunId' in out) {
    out.runId = out.workflowRunId as unknown;
    delete out.workflowRunId;
  }
  return out;
}

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
    log[level.toLowerCase() as Lowercase<LogLevel>]({ ...fields(meta), sdk: true }, message);
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
