// The keys every queued exporter shares, named as in the Collector's exporterhelper: `sending_queue`,
// `retry_on_failure`, `timeout`. Each exporter merges these into its own schema and defaults.
import { DURATION_SCHEMA } from '../../config/schema_validator.js';
import { duration, type Duration } from '../../config/duration.js';

export interface SendingQueueConfig {
  enabled: boolean;
  num_consumers: number;
  /** Records (not requests, unlike the Collector) the queue may hold before the receivers must refuse. */
  queue_size: number;
  max_bytes: number;
  /** Keep the queue in the daemon's SQLite store: written before the client is answered. */
  persistent: boolean;
  /**
   * Batching after the acknowledgement point (the Collector's `sending_queue.batch`): a consumer sends queued
   * batches together once they hold `min_size` records or the first has waited `flush_timeout`. Clients were
   * answered when their records entered the queue, so no one waits for company.
   */
  batch: QueueBatchConfig;
}

export interface QueueBatchConfig {
  enabled: boolean;
  flush_timeout: Duration;
  /** Records that make a batch worth sending at once. */
  min_size: number;
  /** Most records per request (0: no bound); a queued batch larger than this goes alone, unsplit. */
  max_size: number;
}

export interface RetryConfig {
  enabled: boolean;
  initial_interval: Duration;
  randomization_factor: number;
  multiplier: number;
  max_interval: Duration;
  max_elapsed_time: Duration;
}

export interface HelperConfig {
  sending_queue: SendingQueueConfig;
  retry_on_failure: RetryConfig;
  timeout: Duration;
}

export function helperDefaults(queueEnabled: boolean, timeout = duration('30s')): HelperConfig {
  return {
    sending_queue: {
      enabled: queueEnabled,
      // The Collector's default. Each consumer waits on the network most of the time, and on a busy event loop every
      // wait is long: with 4, a loaded daemon's queue filled while the backend idled (bench:peer).
      num_consumers: 10,
      queue_size: 100_000,
      max_bytes: 256 * 1024 * 1024,
      persistent: false,
      batch: { enabled: true, flush_timeout: duration('200ms'), min_size: 8192, max_size: 0 },
    },
    retry_on_failure: {
      enabled: true,
      initial_interval: duration('5s'),
      randomization_factor: 0.5,
      multiplier: 1.5,
      max_interval: duration('30s'),
      max_elapsed_time: duration('300s'),
    },
    timeout,
  };
}


export const HELPER_SCHEMA_PROPERTIES = {
  sending_queue: {
    type: 'object',
    additionalProperties: false,
    properties: {
      enabled: { type: 'boolean' },
      num_consumers: { type: 'integer', minimum: 1, maximum: 256 },
      queue_size: { type: 'integer', minimum: 1 },
      max_bytes: { type: 'integer', minimum: 1024 },
      persistent: { type: 'boolean' },
      batch: {
        type: 'object',
        additionalProperties: false,
        properties: {
          enabled: { type: 'boolean' },
          flush_timeout: DURATION_SCHEMA,
          min_size: { type: 'integer', minimum: 1 },
          max_size: { type: 'integer', minimum: 0 },
        },
      },
    },
  },
  retry_on_failure: {
    type: 'object',
    additionalProperties: false,
    properties: {
      enabled: { type: 'boolean' },
      initial_interval: DURATION_SCHEMA,
      randomization_factor: { type: 'number', minimum: 0, maximum: 1 },
      multiplier: { type: 'number', minimum: 1 },
      max_interval: DURATION_SCHEMA,
      max_elapsed_time: DURATION_SCHEMA,
    },
  },
  timeout: DURATION_SCHEMA,
} as const;

export interface HelperSettings {
  queue: SendingQueueConfig;
  retry: { enabled: boolean; initialIntervalMs: number; randomizationFactor: number; multiplier: number; maxIntervalMs: number; maxElapsedMs: number };
  timeoutMs: number;
}

/** For exporters that write locally and synchronously (debug, nop): no queue, no retry. */
export function directHelperSettings(timeoutMs = 30_000): HelperSettings {
  const config = helperDefaults(false);
  config.retry_on_failure.enabled = false;
  return { ...helperSettings(config), timeoutMs };
}

export function helperSettings(config: HelperConfig): HelperSettings {
  const r = config.retry_on_failure;
  return {
    queue: config.sending_queue,
    retry: {
      enabled: r.enabled,
      initialIntervalMs: r.initial_interval.ms,
      randomizationFactor: r.randomization_factor,
      multiplier: r.multiplier,
      maxIntervalMs: r.max_interval.ms,
      // As in the Collector, 0 means no limit: retry until the backend takes it (a persistent queue rides out
      // any outage) rather than dead-letter every batch at its first failure.
      maxElapsedMs: r.max_elapsed_time.ms || Number.POSITIVE_INFINITY,
    },
    timeoutMs: config.timeout.ms,
  };
}
