// One structured logger for every process; secrets are redacted by key name.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** Fields added to every line from where it is written (a worker adds the activity it runs in). */
  mixin?: () => object;
  /** Where lines go; stdout unless given (a test captures them). */
  destination?: DestinationStream;
}

export function createLogger(
  name: string,
  level = process.env.LOG_LEVEL ?? 'info',
  { mixin, destination }: LoggerOptions = {},
): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: ['*.password', '*.apiKey', '*.key', '*.authorization', 'authorization'], censor: '***' },
      ...(mixin ? { mixin } : {}),
    },
    destination,
  );
}
