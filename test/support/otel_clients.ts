// Real OpenTelemetry JS SDK log pipelines, one per OTLP transport, pointed at a daemon over loopback.
import { ROOT_CONTEXT, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { SeverityNumber, type AnyValueMap, type LogAttributes, type LogBody } from '@opentelemetry/api-logs';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as HttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as HttpProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';

export type Transport = 'http/json' | 'http/protobuf' | 'grpc';
export const TRANSPORTS: readonly Transport[] = ['http/json', 'http/protobuf', 'grpc'];

export interface ClientTarget {
  httpPort: number;
  grpcPort: number;
}

export function sdkExporter(transport: Transport, target: ClientTarget, gzip: boolean): LogRecordExporter {
  const compression = gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
  switch (transport) {
    case 'http/json':
      return new HttpJsonExporter({ url: `http://127.0.0.1:${target.httpPort}/v1/logs`, compression });
    case 'http/protobuf':
      return new HttpProtoExporter({ url: `http://127.0.0.1:${target.httpPort}/v1/logs`, compression });
    case 'grpc':
      return new GrpcExporter({ url: `http://127.0.0.1:${target.grpcPort}`, compression });
  }
}

export interface SentRecord {
  body: LogBody;
  severityNumber: SeverityNumber;
  severityText: string;
  timestampMs: number;
  attributes: LogAttributes;
  traceId: string;
  spanId: string;
}

export function spanContext(traceId: string, spanId: string): Context {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
}

/** A provider with a resource and a batching processor; call `flush()` to push everything out. */
export function sdkProvider(exporter: LogRecordExporter, resource: AnyValueMap) {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(resource as Record<string, string>),
    processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 512, scheduledDelayMillis: 60_000 })],
  });
  return {
    logger: provider.getLogger('logsift-test-scope', '1.2.3'),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

export { SeverityNumber };
