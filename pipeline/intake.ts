// Where a receiver hands over decoded data: admission against the in-flight bound, fan-out to every pipeline
// the receiver feeds, and one answer once every pipeline's exporters accepted (or one refused).
import { Delivery, splitAck } from './ack.js';
import { LogBatch } from './batch.js';
import { BackpressureError, isPermanent } from './errors.js';
import type { IntakeResult, LogsIntake } from './component.js';
import type { InflightLimiter } from './inflight.js';
import type { LogsPipeline } from './logs_pipeline.js';
import type { Telemetry } from './telemetry.js';
import { copyResourceLogs, type PbResourceLogs } from '../proto/otlp.js';

export class PipelineIntake implements LogsIntake {
  constructor(
    private readonly pipelines: readonly LogsPipeline[],
    private readonly limiter: InflightLimiter,
    private readonly telemetry: Telemetry,
    private readonly retryAfterSeconds: number,
  ) {}

  async submit(resourceLogs: PbResourceLogs[], recordCount: number, sizeBytes: number): Promise<IntakeResult> {
    if (recordCount === 0) return { kind: 'accepted' };
    if (!this.limiter.tryAcquire(recordCount, sizeBytes)) {
      return {
        kind: 'refused',
        retryAfterSeconds: this.retryAfterSeconds,
        reason: `too much data in flight (${this.limiter.records} records); retry later`,
        cause: 'inflight_limit',
      };
    }
    // Room in every exporter queue before any processor counts a record: a request refused after the chain
    // ran would be counted again when the client resends it.
    for (let i = 0; i < this.pipelines.length; i++) {
      const refusal = this.pipelines[i]!.reserve(recordCount, sizeBytes);
      if (refusal) {
        for (let j = 0; j < i; j++) this.pipelines[j]!.release(recordCount, sizeBytes);
        this.limiter.release(recordCount, sizeBytes);
        return { kind: 'refused', retryAfterSeconds: refusal.retryAfterSeconds, reason: refusal.message, cause: 'queue_full' };
      }
    }
    this.telemetry.inflightRecords.inc(recordCount);
    const delivery = new Delivery();
    const acks = splitAck(delivery, this.pipelines.length);
    this.pipelines.forEach((pipeline, i) => {
      // Each pipeline may rewrite its records, so every pipeline after the first works on its own copy.
      const data = i === 0 ? resourceLogs : copyResourceLogs(resourceLogs);
      pipeline.push(new LogBatch(data, acks[i]!, sizeBytes, true));
    });
    try {
      await delivery.done;
      return { kind: 'accepted' };
    } catch (error) {
      if (error instanceof BackpressureError) return { kind: 'refused', retryAfterSeconds: error.retryAfterSeconds, reason: error.message, cause: 'backpressure' };
      return { kind: 'failed', reason: (error as Error).message, permanent: isPermanent(error) };
    } finally {
      for (const pipeline of this.pipelines) pipeline.release(recordCount, sizeBytes);
      this.limiter.release(recordCount, sizeBytes);
      this.telemetry.inflightRecords.dec(recordCount);
    }
  }
}
