// The `file` exporter: OTLP/JSON, one ExportLogsServiceRequest per line (the format `logsift replay` reads),
// with size-based rotation (the Collector's file exporter keys). By default it writes before answering the
// client (no queue) and does not retry; both can be turned on with the helper's keys.
import path from 'node:path';
import { compileConfigSchema } from '../../config/schema_validator.js';
import type { ExporterFactory } from '../../pipeline/component.js';
import type { PbResourceLogs } from '../../proto/otlp.js';
import { exportRequestJson } from '../../proto/otlp_json.js';
import { HelperExporter, type Transport } from '../helper/exporter_helper.js';
import { HELPER_SCHEMA_PROPERTIES, helperDefaults, helperSettings, type HelperConfig } from '../helper/config.js';
import type { SendResult } from '../../pipeline/send_result.js';
import { RotatingFile } from './rotating_file.js';

export interface FileExporterConfig extends HelperConfig {
  path: string;
  rotation: { max_megabytes: number; max_backups: number };
}

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: { type: 'string', minLength: 1 },
    rotation: {
      type: 'object',
      additionalProperties: false,
      properties: {
        max_megabytes: { type: 'number', exclusiveMinimum: 0 },
        max_backups: { type: 'integer', minimum: 0 },
      },
    },
    ...HELPER_SCHEMA_PROPERTIES,
  },
};

class FileTransport implements Transport {
  readonly #file: RotatingFile;
  #open = false;

  constructor(config: FileExporterConfig) {
    this.#file = new RotatingFile(path.resolve(config.path), {
      maxBytes: config.rotation.max_megabytes * 1024 * 1024,
      maxBackups: config.rotation.max_backups,
    });
  }

  async start(): Promise<void> {
    await this.#file.open();
    this.#open = true;
  }

  async send(resourceLogs: PbResourceLogs[]): Promise<SendResult> {
    const line = JSON.stringify(exportRequestJson({ resourceLogs })) + '\n';
    try {
      await this.#file.append(Buffer.from(line));
      return { kind: 'success' };
    } catch (error) {
      return { kind: 'retryable', reason: `writing ${(error as Error).message}` };
    }
  }

  async shutdown(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.#file.close();
  }
}

function defaultFileConfig(): FileExporterConfig {
  const helper = helperDefaults(false);
  helper.retry_on_failure.enabled = false;
  // No default path: it is required, and leaving it out must say so.
  return { rotation: { max_megabytes: 100, max_backups: 10 }, ...helper } as FileExporterConfig;
}

export const fileExporterFactory: ExporterFactory<FileExporterConfig> = {
  kind: 'exporter',
  type: 'file',
  defaultConfig: defaultFileConfig,
  validate: compileConfigSchema(schema),
  create: (settings, config) => new HelperExporter(settings, helperSettings(config), new FileTransport(config)),
};
