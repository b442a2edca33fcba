// The daemon's own log lines, also sent as OTLP logs (`service.telemetry.logs.otlp`): each pino line becomes
// an OpenTelemetry log record (its level as severity, `msg` as body, the rest as attributes) batched by the
// OpenTelemetry SDK to the endpoint given — which the configuration check keeps from being this daemon's own
// receiver (load_config.ts), so its logs never feed its own pipeline. Stderr still gets every line.
import { createRequire } from 'node:module';
import type { AnyValueMap } from '@opentelemetry/api-logs';
import type * as OtlpLogs from '@opentelemetry/exporter-logs-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import type * as LogsSdk from '@opentelemetry/sdk-logs';
import type { LogsOtlpSettings } from '../config/settings.js';

// The SDK is loaded only when the logs go out: a daemon without it does not carry its modules in its heap.
const require = createRequire(import.meta.url);

// pino's levels to OpenTelemetry severity numbers.
const SEVERITY: Record<number, { number: number; text: string }> = {
  10: { number: 1, text: 'TRACE' },
  20: { number: 5, text: 'DEBUG' },
  30: { number: 9, text: 'INFO' },
  40: { number: 13, text: 'WARN' },
  50: { number: 17, text: 'ERROR' },
  60: { number: 21, text: 'FATAL' },
};
const OWN_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

export interface LogShipper {
  /** A pino destination: one JSON line a call. */
  write(line: string): void;
  shutdown(): Promise<void>;
}

export function startLogShipper(settings: LogsOtlpSettings, resource: Record<string, string>): LogShipper {
  const { BatchLogRecordProcessor, LoggerProvider } = require('@opentelemetry/sdk-logs') as typeof LogsSdk;
  const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http') as typeof OtlpLogs;
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof Resources;
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(resource),
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: settings.endpoint, headers: settings.headers ?? {} }), scheduledDelayMillis: 1000 })],
  });
  const logger = provider.getLogger('logsift');
  return {
    write(line: string) {
      let fields: Record<string, unknown>;
      try {
        fields = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      const severity = SEVERITY[Number(fields.level)] ?? SEVERITY[30]!;
      const attributes: AnyValueMap = {};
      for (const [key, value] of Object.entries(fields)) {
        if (OWN_FIELDS.has(key) || value === undefined) continue;
        attributes[key] = typeof value === 'object' && value !== null ? JSON.stringify(value) : (value as string | number | boolean);
      }
      logger.emit({ severityNumber: severity.number, severityText: severity.text, body: String(fields.msg ?? ''), attributes, ...(typeof fields.time === 'number' ? { timestamp: fields.time } : {}) });
    },
    shutdown: () => provider.shutdown(),
  };
}
