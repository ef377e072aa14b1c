import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/index.js';

/**
 * Structured JSON logs on stdout. Tokens never reach a log line: sessions log
 * subjects and reason codes only, and these paths are redacted in case an
 * object carrying one is logged by mistake.
 */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'warren' },
    redact: {
      paths: ['token', 'jwt', '*.token', '*.jwt', 'password', '*.password', 'headers.authorization', 'headers.cookie'],
      censor: '[redacted]',
    },
  });
}
