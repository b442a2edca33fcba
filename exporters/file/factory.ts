// The `file` exporter: OTLP/JSON, one ExportLogsServiceRequest per line (the format `logsift replay` reads),
// with size-based rotation (the Collector's file exporter keys).
import path from 'node:path';
import { compileConfigSchema } from '../../config/schema_validator.js';
import type { LogBatch } from '../../pipeline/batch.js';
import type { Exporter, ExporterFactory } from '../../pipeline/component.js';
import { exportRequestJson } from '../../proto/otlp_json.js';
import { RotatingFile } from './rotating_file.js';

export interface FileExporterConfig {
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
  },
};

class FileExporter implements Exporter {
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

  export(batch: LogBatch): Promise<void> {
    const line = JSON.stringify(exportRequestJson(batch.toExportRequest())) + '\n';
    return this.#file.append(Buffer.from(line));
  }

  async shutdown(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.#file.close();
  }
}

export const fileExporterFactory: ExporterFactory<FileExporterConfig> = {
  kind: 'exporter',
  type: 'file',
  // No default path: it is required, and leaving it out must say so.
  defaultConfig: () => ({ rotation: { max_megabytes: 100, max_backups: 10 } }) as FileExporterConfig,
  validate: compileConfigSchema(schema),
  create: (_settings, config) => new FileExporter(config),
};
