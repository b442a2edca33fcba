// The daemon's own log: JSON lines on stderr (pino), written synchronously so the last words before an
// exit are not lost in a buffer. Each line names its writer `name: logsift` (pino's field), leaving
// `service` to mean what it means everywhere else here: the service a record came from.
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { name: 'logsift' } }, pino.destination({ dest: 2, sync: true }));
}
