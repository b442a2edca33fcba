// The `otlp_http` exporter: OTLP/HTTP protobuf to any OTLP backend (another logsift, a Collector, a vendor),
// on the shared helper. Keys follow the Collector's otlphttp exporter.
import { compileConfigSchema } from '../../config/schema_validator.js';
import type { CreateSettings, ExporterFactory } from '../../pipeline/component.js';
import { ExportLogsServiceResponse, encodeExportRequest, type PbResourceLogs } from '../../proto/otlp.js';
import { HelperExporter, type Transport } from '../helper/exporter_helper.js';
import { HELPER_SCHEMA_PROPERTIES, helperDefaults, helperSettings, type HelperConfig } from '../helper/config.js';
import type { SendResult } from '../../pipeline/send_result.js';
import { postProtobuf, type PostOptions } from '../http_transport.js';

export interface OtlpHttpExporterConfig extends HelperConfig {
  /** Base URL; logs go to {endpoint}/v1/logs unless logs_endpoint is set. */
  endpoint: string;
  logs_endpoint: string;
  headers: Record<string, string>;
  compression: 'gzip' | 'none';
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    endpoint: { type: 'string', pattern: '^https?://' },
    logs_endpoint: { type: 'string', pattern: '^(https?://.*)?$' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    compression: { enum: ['gzip', 'none'] },
    ...HELPER_SCHEMA_PROPERTIES,
  },
};
const checkSchema = compileConfigSchema(schema);

class OtlpHttpTransport implements Transport {
  readonly #post: PostOptions;

  constructor(
    private readonly settings: CreateSettings,
    config: OtlpHttpExporterConfig,
  ) {
    this.#post = {
      url: config.logs_endpoint || `${config.endpoint.replace(/\/+$/, '')}/v1/logs`,
      headers: config.headers,
      gzip: config.compression === 'gzip',
      clock: settings.clock,
    };
  }

  async send(resourceLogs: PbResourceLogs[], records: number, signal: AbortSignal): Promise<SendResult> {
    return this.sendEncoded(encodeExportRequest({ resourceLogs }), records, signal);
  }

  async sendEncoded(request: Uint8Array, _records: number, signal: AbortSignal): Promise<SendResult> {
    return postProtobuf(request, this.#post, signal, (body) => this.#partialSuccess(body));
  }

  // A 200 may still reject some records (partial_success): OTLP says not to retry them; say so.
  #partialSuccess(body: Uint8Array): void {
    try {
      const response = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(body), { longs: Number }) as {
        partialSuccess?: { rejectedLogRecords?: number; errorMessage?: string };
      };
      const rejected = response.partialSuccess?.rejectedLogRecords ?? 0;
      if (rejected > 0) this.settings.logger.warn({ rejected, reason: response.partialSuccess?.errorMessage }, 'the backend rejected some records (partial success); they are not retried');
    } catch {
      // A backend that answers 200 with something else has still accepted the request.
    }
  }
}

export const otlpHttpExporterFactory: ExporterFactory<OtlpHttpExporterConfig> = {
  kind: 'exporter',
  type: 'otlp_http',
  // The Collector's name for its HTTP OTLP exporter.
  aliases: ['otlphttp'],
  defaultConfig: () => ({ endpoint: 'http://127.0.0.1:4318', logs_endpoint: '', headers: {}, compression: 'gzip', ...helperDefaults(true) }),
  validate: (config) => {
    const problems = checkSchema(config);
    if (!config.endpoint && !config.logs_endpoint) problems.push({ path: 'endpoint', message: 'set endpoint or logs_endpoint' });
    return problems;
  },
  create: (settings, config) => new HelperExporter(settings, helperSettings(config), new OtlpHttpTransport(settings, config)),
};
