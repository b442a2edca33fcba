// The `otlp_grpc` exporter: OTLP/gRPC LogsService/Export to any OTLP backend, on the shared helper. Status
// codes are classified as the OTLP spec says; RESOURCE_EXHAUSTED is retried when the server sent RetryInfo,
// and otherwise taken as "message too large" so the helper splits the batch.
import * as grpc from '@grpc/grpc-js';
import { compileConfigSchema } from '../../config/schema_validator.js';
import type { ExporterFactory } from '../../pipeline/component.js';
import { logsServiceDefinition } from '../../proto/logs_service_definition.js';
import { RetryInfo, RpcStatus, encodeExportRequest, type PbResourceLogs } from '../../proto/otlp.js';
import { HelperExporter, type Transport } from '../helper/exporter_helper.js';
import { HELPER_SCHEMA_PROPERTIES, helperDefaults, helperSettings, type HelperConfig } from '../helper/config.js';
import type { SendResult } from '../../pipeline/send_result.js';

export interface OtlpGrpcExporterConfig extends HelperConfig {
  /** host:port of the OTLP/gRPC server. */
  endpoint: string;
  headers: Record<string, string>;
  compression: 'gzip' | 'none';
  tls: { insecure: boolean };
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    endpoint: { type: 'string', format: 'endpoint' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    compression: { enum: ['gzip', 'none'] },
    tls: { type: 'object', additionalProperties: false, properties: { insecure: { type: 'boolean' } } },
    ...HELPER_SCHEMA_PROPERTIES,
  },
};

const RETRYABLE = new Set([grpc.status.CANCELLED, grpc.status.DEADLINE_EXCEEDED, grpc.status.ABORTED, grpc.status.OUT_OF_RANGE, grpc.status.UNAVAILABLE, grpc.status.DATA_LOSS]);
const GZIP = 2; // grpc-js CompressionAlgorithms.gzip

type ExportCall = (request: Buffer, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null) => void) => grpc.ClientUnaryCall;

function retryDelayMs(error: grpc.ServiceError): number | undefined {
  const [details] = error.metadata?.get('grpc-status-details-bin') ?? [];
  if (!Buffer.isBuffer(details)) return undefined;
  try {
    const status = RpcStatus.decode(details) as unknown as { details?: Array<{ type_url: string; value: Uint8Array }> };
    const info = status.details?.find((d) => d.type_url.endsWith('google.rpc.RetryInfo'));
    if (!info) return undefined;
    const { retryDelay } = RetryInfo.toObject(RetryInfo.decode(info.value), { longs: Number }) as { retryDelay?: { seconds?: number; nanos?: number } };
    return (retryDelay?.seconds ?? 0) * 1000 + Math.round((retryDelay?.nanos ?? 0) / 1e6);
  } catch {
    return undefined;
  }
}

export function classifyGrpcError(error: grpc.ServiceError): SendResult {
  const reason = `gRPC ${grpc.status[error.code] ?? error.code}: ${error.details}`;
  if (error.code === grpc.status.RESOURCE_EXHAUSTED) {
    const retryAfterMs = retryDelayMs(error);
    return retryAfterMs === undefined ? { kind: 'too_large', reason } : { kind: 'retryable', reason, retryAfterMs };
  }
  return RETRYABLE.has(error.code) ? { kind: 'retryable', reason } : { kind: 'permanent', reason };
}

class OtlpGrpcTransport implements Transport {
  readonly #client: grpc.Client;
  readonly #metadata = new grpc.Metadata();

  constructor(config: OtlpGrpcExporterConfig) {
    const Client = grpc.makeGenericClientConstructor(logsServiceDefinition, 'LogsService');
    const credentials = config.tls.insecure ? grpc.credentials.createInsecure() : grpc.credentials.createSsl();
    const options: grpc.ChannelOptions = config.compression === 'gzip' ? { 'grpc.default_compression_algorithm': GZIP } : {};
    this.#client = new Client(config.endpoint, credentials, options);
    for (const [key, value] of Object.entries(config.headers)) this.#metadata.set(key, value);
  }

  send(resourceLogs: PbResourceLogs[], records: number, signal: AbortSignal): Promise<SendResult> {
    return this.sendEncoded(encodeExportRequest({ resourceLogs }), records, signal);
  }

  sendEncoded(request: Uint8Array, _records: number, signal: AbortSignal): Promise<SendResult> {
    const body = Buffer.from(request.buffer, request.byteOffset, request.byteLength);
    return new Promise((resolve) => {
      const exportCall = (this.#client as unknown as { Export: ExportCall }).Export.bind(this.#client);
      const call = exportCall(body, this.#metadata.clone(), {}, (error) => {
        signal.removeEventListener('abort', cancel);
        resolve(error ? classifyGrpcError(error) : { kind: 'success' });
      });
      const cancel = () => call.cancel();
      signal.addEventListener('abort', cancel, { once: true });
    });
  }

  async shutdown(): Promise<void> {
    this.#client.close();
  }
}

export const otlpGrpcExporterFactory: ExporterFactory<OtlpGrpcExporterConfig> = {
  kind: 'exporter',
  type: 'otlp_grpc',
  // The Collector's name for its gRPC OTLP exporter.
  aliases: ['otlp'],
  defaultConfig: () => ({ endpoint: '127.0.0.1:4317', headers: {}, compression: 'gzip', tls: { insecure: true }, ...helperDefaults(true) }),
  validate: compileConfigSchema(schema),
  create: (settings, config) => new HelperExporter(settings, helperSettings(config), new OtlpGrpcTransport(config)),
};
