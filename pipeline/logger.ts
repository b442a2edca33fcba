// The daemon's own log: JSON lines on stderr (pino), written synchronously so the last words before an
// exit are not lost in a buffer.
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'logsift' } }, pino.destination({ dest: 2, sync: true }));
}
