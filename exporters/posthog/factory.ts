// The `posthog` exporter: OTLP/HTTP protobuf, gzip, to {endpoint}/i/v1/logs with the project token as a
// bearer token; every resource gets a service.name; requests are split under PostHog's body limit.
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { parseDuration } from '../../config/duration.js';
import type { LogBatch } from '../../pipeline/batch.js';
import type { CreateSettings, Exporter, ExporterFactory } from '../../pipeline/component.js';
import { PermanentError } from '../../pipeline/errors.js';
import { encodeExportRequest, type PbResourceLogs } from '../../proto/otlp.js';
import { defaultPosthogConfig, validatePosthogConfig, type PosthogExporterConfig } from './config.js';
import { RecordTooLargeError, splitBySize } from './split.js';

const gzipAsync = promisify(gzip);

/** Copies (never mutates: other exporters share the batch) each resource lacking service.name, adding it. */
function withServiceName(resourceLogs: readonly PbResourceLogs[], fallback: string): PbResourceLogs[] {
  return resourceLogs.map((rl) => {
    const attributes = rl.resource?.attributes ?? [];
    if (attributes.some((kv) => kv.key === 'service.name' && kv.value?.stringValue)) return rl;
    const rest = attributes.filter((kv) => kv.key !== 'service.name');
    return { ...rl, resource: { ...rl.resource, attributes: [...rest, { key: 'service.name', value: { stringValue: fallback } }] } };
  });
}

class PosthogExporter implements Exporter {
  readonly #url: string;
  readonly #timeoutMs: number;

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: PosthogExporterConfig,
  ) {
    this.#url = `${config.endpoint.replace(/\/+$/, '')}/i/v1/logs`;
    this.#timeoutMs = parseDuration(config.timeout)!;
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  async export(batch: LogBatch): Promise<void> {
    const resourceLogs = withServiceName(batch.toExportRequest().resourceLogs ?? [], this.config.default_service_name);
    let parts: PbResourceLogs[][];
    try {
      parts = splitBySize(resourceLogs, this.config.max_request_bytes);
    } catch (error) {
      if (error instanceof RecordTooLargeError) this.settings.logger.error({ reason: error.message }, 'batch rejected: PostHog would refuse it');
      throw error;
    }
    for (const part of parts) await this.#send(encodeExportRequest({ resourceLogs: part }));
  }

  async #send(protobuf: Uint8Array): Promise<void> {
    const gzipped = this.config.compression === 'gzip';
    // Node's typings allow a SharedArrayBuffer here; these buffers never are one.
    const body = (gzipped ? await gzipAsync(protobuf) : protobuf) as Uint8Array<ArrayBuffer>;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.config.api_key}`,
      'content-type': 'application/x-protobuf',
    };
    if (gzipped) headers['content-encoding'] = 'gzip';
    let response: Response;
    try {
      response = await fetch(this.#url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      throw new Error(`PostHog unreachable at ${this.#url}: ${(error as Error).message}`);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return;
    const message = `PostHog answered HTTP ${response.status}: ${text.slice(0, 200)}`;
    // 400 (undecodable), 401/403 (token) and 413 (too large) will not change on resend.
    if ([400, 401, 403, 413].includes(response.status)) throw new PermanentError(message);
    throw new Error(message);
  }
}

export const posthogExporterFactory: ExporterFactory<PosthogExporterConfig> = {
  kind: 'exporter',
  type: 'posthog',
  defaultConfig: defaultPosthogConfig,
  validate: validatePosthogConfig,
  create: (settings, config) => new PosthogExporter(settings, config),
};
