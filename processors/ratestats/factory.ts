// The `ratestats` processor: counts every record into rolling windows per (service, pattern, severity) and
// provides the table to the processors after it (sampler, anomaly detector) as a RateStatsView. Records pass
// through unchanged. Put it after `signature`, whose pattern id it reads.
import { map } from 'rxjs';
import { duration, type Duration } from '../../config/duration.js';
import { DURATION_SCHEMA, compileConfigSchema } from '../../config/schema_validator.js';
import type { LogBatch, LogRecordView } from '../../pipeline/batch.js';
import type { Processor, ProcessorFactory, ProcessorSettings } from '../../pipeline/component.js';
import { SharedKey } from '../../pipeline/pipeline_shared.js';
import { countedOperator } from '../../pipeline/processor_helper.js';
import { RateTable, type RateStatsView } from './rate_table.js';
import { severityClass } from '../../policy/severity.js';

export const RATE_STATS = new SharedKey<RateStatsView>('rate statistics');

export interface RateStatsConfig {
  window: Duration;
  ewma_alpha: number;
  history: number;
  max_series: number;
  /** `arrival`: the daemon's clock (live); `record`: each record's own timestamp (replay). */
  time: 'arrival' | 'record';
  pattern_attribute: string;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    window: DURATION_SCHEMA,
    ewma_alpha: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    history: { type: 'integer', minimum: 1, maximum: 10_000 },
    max_series: { type: 'integer', minimum: 100 },
    time: { enum: ['arrival', 'record'] },
    pattern_attribute: { type: 'string', minLength: 1 },
  },
};

const NANOS_PER_MS = 1_000_000n;

class RateStatsProcessor implements Processor {
  readonly operator;
  readonly #table: RateTable;

  constructor(
    private readonly settings: ProcessorSettings,
    private readonly config: RateStatsConfig,
  ) {
    this.#table = new RateTable({ windowMs: config.window.ms, ewmaAlpha: config.ewma_alpha, history: config.history, maxSeries: config.max_series });
    settings.shared.provide(RATE_STATS, this.#table);
    this.operator = countedOperator(settings, map((batch: LogBatch) => this.#count(batch)));
  }

  #time(record: LogRecordView, arrival: number): number {
    if (this.config.time === 'arrival') return arrival;
    const nanos = record.timeUnixNano || record.observedTimeUnixNano;
    return nanos > 0n ? Number(nanos / NANOS_PER_MS) : arrival;
  }

  #count(batch: LogBatch): LogBatch {
    const arrival = this.settings.clock.now();
    const key = this.config.pattern_attribute;
    for (const group of batch.groups()) {
      const service = group.resource.serviceName ?? 'unknown_service';
      for (const record of group.records) {
        const pattern = record.attributes.get(key);
        this.#table.record(
          service,
          typeof pattern === 'string' ? pattern : '',
          severityClass(record.severityNumber, record.severityText),
          // Bytes are the body's length: what a log backend bills for, without encoding each record to measure it.
          record.bodyText.length,
          this.#time(record, arrival),
        );
      }
    }
    return batch;
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

export const rateStatsProcessorFactory: ProcessorFactory<RateStatsConfig> = {
  kind: 'processor',
  type: 'ratestats',
  placement: { requires: ['patterns'], provides: ['rate statistics'] },
  defaultConfig: () => ({ window: duration('10s'), ewma_alpha: 0.2, history: 60, max_series: 100_000, time: 'arrival', pattern_attribute: 'logsift.pattern.id' }),
  validate: compileConfigSchema(schema),
  create: (settings, config) => new RateStatsProcessor(settings, config),
};
