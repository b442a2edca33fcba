// Source sampling as an OpenTelemetry log record processor: it sits in front of the processor that exports
// (a BatchLogRecordProcessor with the app's OTLP exporter), decides each record with the source sampler, lets
// only the kept ones through, and marks them as the daemon's sampler would — pattern id, sample count, rate
// and reason — so the daemon passes them as sampled upstream. A record the sampler fails on goes through
// unmarked (the daemon samples it then): the application never sees an error from here.
import type { Context } from '@opentelemetry/api';
import type { LogRecordProcessor, SdkLogRecord } from '@opentelemetry/sdk-logs';
import { SAMPLE_COUNT_ATTRIBUTE, SAMPLE_RATE_ATTRIBUTE, SAMPLE_REASON_ATTRIBUTE } from '../../../processors/sampler/sample_attributes.js';
import type { SourceSampler } from './source_sampler.js';

/** The daemon's default `pattern_attribute`. */
export const PATTERN_ATTRIBUTE = 'logsift.pattern.id';

export class LogsiftLogRecordProcessor implements LogRecordProcessor {
  /** Records the sampler failed on (passed through unsampled). */
  failures = 0;

  constructor(
    private readonly next: LogRecordProcessor,
    private readonly sampler: SourceSampler,
    /** The service of records whose resource names none. */
    private readonly service = 'unknown_service',
  ) {}

  onEmit(record: SdkLogRecord, context?: Context): void {
    try {
      const [seconds, nanos] = record.hrTime;
      const service = record.resource.attributes['service.name'];
      const decision = this.sampler.decide({
        service: typeof service === 'string' ? service : this.service,
        body: record.body,
        severityNumber: record.severityNumber,
        severityText: record.severityText,
        timeMs: seconds * 1000 + Math.floor(nanos / 1e6),
        traceId: record.spanContext?.traceId,
        attributes: record.attributes,
      });
      if (!decision.keep) return;
      record.setAttributes({
        [PATTERN_ATTRIBUTE]: decision.patternId,
        [SAMPLE_COUNT_ATTRIBUTE]: decision.sampleCount,
        [SAMPLE_RATE_ATTRIBUTE]: decision.sampleRate,
        [SAMPLE_REASON_ATTRIBUTE]: decision.reason,
      });
    } catch {
      this.failures += 1;
    }
    this.next.onEmit(record, context);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
