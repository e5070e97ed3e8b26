// One structured logger for every process; secrets are redacted by key name.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['*.password', '*.apiKey', '*.key', '*.authorization', 'authorization'], censor: '***' },
  });
}
