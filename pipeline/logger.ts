// The daemon's own log: JSON lines on stderr (pino), written synchronously so the last words before an
// exit are not lost in a buffer. Each line names its writer `name: logsift` (pino's field), leaving
// `service` to mean what it means everywhere else here: the service a record came from.
import { pino, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from '../config/settings.js';

export type Logger = PinoLogger;

export { LOG_LEVELS, type LogLevel } from '../config/settings.js';

/** With `also`, every line goes there too (self_logs.ts: the same lines as OTLP logs). */
export function createLogger(level: LogLevel, also?: { write(line: string): void }): Logger {
  const stderr = pino.destination({ dest: 2, sync: true });
  if (!also) return pino({ level, base: { name: 'logsift' } }, stderr);
  return pino({ level, base: { name: 'logsift' } }, pino.multistream([{ stream: stderr, level }, { stream: also, level }]));
}
