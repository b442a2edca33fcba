// The `posthog` exporter: OTLP/HTTP protobuf, gzip, to {endpoint}/i/v1/logs with the project token as a
// bearer token; every resource gets a service.name; requests are split under PostHog's body limit.
import type { CreateSettings, Exporter, ExporterFactory } from '../../pipeline/component.js';
import { encodeExportRequest, type PbResourceLogs } from '../../proto/otlp.js';
import { HelperExporter, type Transport } from '../helper/exporter_helper.js';
import { helperSettings } from '../helper/config.js';
import type { SendResult } from '../../pipeline/send_result.js';
import { postProtobuf, type PostOptions } from '../http_transport.js';
import { PosthogEvents } from './events.js';
import { defaultPosthogConfig, validatePosthogConfig, type PosthogExporterConfig } from './config.js';
import { RecordTooLargeError, splitBySize } from './split.js';

/** Copies (never mutates: other exporters share the batch) each resource lacking service.name, adding it. */
function withServiceName(resourceLogs: readonly PbResourceLogs[], fallback: string): PbResourceLogs[] {
  return resourceLogs.map((rl) => {
    const attributes = rl.resource?.attributes ?? [];
    if (attributes.some((kv) => kv.key === 'service.name' && kv.value?.stringValue)) return rl;
    const rest = attributes.filter((kv) => kv.key !== 'service.name');
    return { ...rl, resource: { ...rl.resource, attributes: [...rest, { key: 'service.name', value: { stringValue: fallback } }] } };
  });
}

class PosthogTransport implements Transport {
  readonly #post: PostOptions;

  constructor(
    settings: CreateSettings,
    private readonly config: PosthogExporterConfig,
  ) {
    this.#post = {
      url: `${config.endpoint.replace(/\/+$/, '')}/i/v1/logs`,
      headers: { authorization: `Bearer ${config.api_key}` },
      gzip: config.compression === 'gzip',
      clock: settings.clock,
    };
  }

  async send(resourceLogs: PbResourceLogs[], _records: number, signal: AbortSignal): Promise<SendResult> {
    let parts: PbResourceLogs[][];
    try {
      parts = splitBySize(withServiceName(resourceLogs, this.config.default_service_name), this.config.max_request_bytes);
    } catch (error) {
      if (error instanceof RecordTooLargeError) return { kind: 'permanent', reason: error.message };
      throw error;
    }
    // Parts go in order; a failure fails the whole batch, and a retry may resend parts that already passed.
    for (const part of parts) {
      const result = await postProtobuf(encodeExportRequest({ resourceLogs: part }), this.#post, signal);
      if (result.kind !== 'success') return result;
    }
    return { kind: 'success' };
  }
}

export const posthogExporterFactory: ExporterFactory<PosthogExporterConfig> = {
  kind: 'exporter',
  type: 'posthog',
  defaultConfig: defaultPosthogConfig,
  validate: validatePosthogConfig,
  create: (settings, config): Exporter => {
    const helper = helperSettings(config);
    const logs = new HelperExporter(settings, helper, new PosthogTransport(settings, config));
    const events = config.events.enabled ? new PosthogEvents(settings, config.endpoint, config.api_key, helper.timeoutMs) : undefined;
    return {
      export: (batch) => logs.export(batch),
      reserve: (records, bytes) => logs.reserve(records, bytes),
      release: (records, bytes) => logs.release(records, bytes),
      start: async () => {
        await logs.start();
        events?.start();
      },
      shutdown: async (deadline) => {
        await events?.shutdown();
        await logs.shutdown(deadline);
      },
    };
  },
};
