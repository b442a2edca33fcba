// The `debug` exporter: what passes through, on stderr — a count per batch, one line per record, or each
// record in full (the Collector's verbosity levels).
import { compileConfigSchema } from '../../config/schema_validator.js';
import { LogBatch } from '../../pipeline/batch.js';
import type { ExporterFactory } from '../../pipeline/component.js';
import type { PbResourceLogs } from '../../proto/otlp.js';
import { HelperExporter, type Transport } from '../helper/exporter_helper.js';
import { directHelperSettings } from '../helper/config.js';
import type { SendResult } from '../../pipeline/send_result.js';

export interface DebugExporterConfig {
  verbosity: 'basic' | 'normal' | 'detailed';
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: { verbosity: { enum: ['basic', 'normal', 'detailed'] } },
};

const IGNORED_ACK = { settle: () => undefined };

export class DebugTransport implements Transport {
  constructor(
    private readonly id: string,
    private readonly config: DebugExporterConfig,
    private readonly out: NodeJS.WritableStream = process.stderr,
  ) {}

  async send(resourceLogs: PbResourceLogs[]): Promise<SendResult> {
    // Read through the batch accessors, like a processor; the helper owns the real acknowledgement.
    const batch = new LogBatch(resourceLogs, IGNORED_ACK, 0);
    const lines = [`${this.id}: ${batch.recordCount} log records`];
    if (this.config.verbosity !== 'basic') {
      for (const group of batch.groups()) {
        const service = group.resource.serviceName ?? 'unknown_service';
        for (const record of group.records) {
          if (this.config.verbosity === 'normal') {
            lines.push(`  ${service} ${record.severityText || record.severityNumber} ${record.bodyText}`);
          } else {
            lines.push(`  ${JSON.stringify({
              service,
              scope: group.scope.name,
              time_unix_nano: record.timeUnixNano.toString(),
              severity_number: record.severityNumber,
              severity_text: record.severityText,
              body: record.bodyText,
              trace_id: record.traceId,
              span_id: record.spanId,
              attributes: record.attributes.toObject(),
            }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
          }
        }
      }
    }
    this.out.write(lines.join('\n') + '\n');
    return { kind: 'success' };
  }
}

export const debugExporterFactory: ExporterFactory<DebugExporterConfig> = {
  kind: 'exporter',
  type: 'debug',
  defaultConfig: () => ({ verbosity: 'basic' }),
  validate: compileConfigSchema(schema),
  create: (settings, config) => new HelperExporter(settings, directHelperSettings(), new DebugTransport(settings.id, config)),
};
