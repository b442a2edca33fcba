// A winston transport: each log call becomes an OpenTelemetry log record of the service, sampled at the
// source on its way out (configure.ts). `new LogsiftTransport({ logsift })` with a configured SDK, or with
// `{ service, endpoint }` to configure one.
import Transport from 'winston-transport';
import { configure, type ConfigureOptions, type Logsift } from './configure.js';
import { fieldsAsAttributes } from './attributes.js';
import { namedSeverity } from './severity.js';

export type LogsiftTransportOptions = Transport.TransportStreamOptions & ({ logsift: Logsift } | ConfigureOptions);

const SKIP = new Set(['level', 'message', 'timestamp']);

export class LogsiftTransport extends Transport {
  readonly logsift: Logsift;

  constructor(options: LogsiftTransportOptions) {
    super(options);
    this.logsift = 'logsift' in options ? options.logsift : configure(options);
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    try {
      const level = String(info[Symbol.for('level')] ?? info.level ?? 'info');
      const message = info.message;
      this.logsift.logger.emit({
        body: typeof message === 'string' ? message : JSON.stringify(message),
        severityNumber: namedSeverity(level),
        severityText: level.toUpperCase(),
        attributes: fieldsAsAttributes(info as Record<string, unknown>, SKIP),
      });
    } catch {
      // Never into the application.
    }
    next();
  }

  override close(): void {
    void this.logsift.shutdown().catch(() => undefined);
  }
}
