// The `batch` processor (the Collector's): merges small batches into larger ones so exporters send fewer,
// bigger requests. Unlike the Collector's, it holds the merged batches' acknowledgements, so a client is only
// answered once its records were exported or queued — batching never acknowledges data that is still in
// memory. The price is that each answer waits for company; exporters' `sending_queue.batch` batches after
// the answer instead, which is why the default configuration has no `batch` processor.
import { Observable, asyncScheduler, type OperatorFunction, type Subscription } from 'rxjs';
import { duration, type Duration } from '../../config/duration.js';
import { DURATION_SCHEMA, compileConfigSchema } from '../../config/schema_validator.js';
import { combineAcks } from '../../pipeline/ack.js';
import { LogBatch } from '../../pipeline/batch.js';
import type { ConfigProblem, ProcessorFactory } from '../../pipeline/component.js';
import { countedOperator } from '../../pipeline/processor_helper.js';

export interface BatchProcessorConfig {
  /** Records that trigger a send as soon as they are buffered. */
  send_batch_size: number;
  /** Upper bound per sent batch (0: none). An incoming batch is never split, so one larger than this goes alone. */
  send_batch_max_size: number;
  /** How long the first buffered record may wait before the buffer is sent anyway. */
  timeout: Duration;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    send_batch_size: { type: 'integer', minimum: 1 },
    send_batch_max_size: { type: 'integer', minimum: 0 },
    timeout: DURATION_SCHEMA,
  },
};
const checkSchema = compileConfigSchema(schema);

function validate(config: BatchProcessorConfig): ConfigProblem[] {
  const problems = checkSchema(config);
  if (problems.length === 0 && config.send_batch_max_size > 0 && config.send_batch_max_size < config.send_batch_size) {
    problems.push({ path: 'send_batch_max_size', message: 'must be 0 or at least send_batch_size' });
  }
  return problems;
}

/** Buffers batches until `size` records or `timeoutMs` since the first, then emits them merged. */
export function batching(size: number, maxSize: number, timeoutMs: number): OperatorFunction<LogBatch, LogBatch> {
  return (source) =>
    new Observable<LogBatch>((subscriber) => {
      let buffer: LogBatch[] = [];
      let buffered = 0;
      let timer: Subscription | undefined;

      const flush = () => {
        timer?.unsubscribe();
        timer = undefined;
        if (buffer.length === 0) return;
        const merged = buffer.length === 1 ? buffer[0]! : LogBatch.merge(buffer, combineAcks(buffer.map((b) => b.ack)));
        buffer = [];
        buffered = 0;
        subscriber.next(merged);
      };

      const subscription = source.subscribe({
        next: (batch) => {
          if (maxSize > 0 && buffered > 0 && buffered + batch.recordCount > maxSize) flush();
          buffer.push(batch);
          buffered += batch.recordCount;
          if (buffered >= size) flush();
          else timer ??= asyncScheduler.schedule(flush, timeoutMs);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          // Shutdown: what is buffered goes out before the stream ends.
          flush();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}

export const batchProcessorFactory: ProcessorFactory<BatchProcessorConfig> = {
  kind: 'processor',
  type: 'batch',
  placement: { deliveryOnly: true },
  defaultConfig: () => ({ send_batch_size: 8192, send_batch_max_size: 0, timeout: duration('200ms') }),
  validate,
  create: (settings, config) => ({
    operator: countedOperator(settings, batching(config.send_batch_size, config.send_batch_max_size, config.timeout.ms)),
    start: async () => {
      settings.logger.warn(
        { timeout_ms: config.timeout.ms },
        'the batch processor holds each client\'s answer until its batch is sent or queued (up to its timeout); exporters batch after the answer with sending_queue.batch',
      );
    },
    shutdown: async () => {},
  }),
};
