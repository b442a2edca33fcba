// The daemon's own metrics, in the Collector's naming, on a private prom-client registry so several
// daemons in one process (tests) never share counters. What every receiver, processor and exporter counts
// is here; a component's own metrics are defined beside it (its metrics.ts) and registered through
// `counter`, once per daemon however many instances of it there are.
import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Tracer } from '@opentelemetry/api';
import { NO_TRACER } from './self_tracing.js';

/** A counter's definition, as a component declares it. */
export interface CounterSpec<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
}

export class Telemetry {
  readonly registry = new Registry();
  /** Spans of the daemon's own work: recording nothing unless `service.telemetry.traces` is set. */
  tracer: Tracer = NO_TRACER;

  /** The daemon's counter of this definition: created on first use, the same one after. */
  counter<L extends string>(spec: CounterSpec<L>): Counter<L> {
    const existing = this.registry.getSingleMetric(spec.name);
    if (existing) return existing as Counter<L>;
    return new Counter({ name: spec.name, help: spec.help, labelNames: spec.labelNames, registers: [this.registry] });
  }

  /** The daemon's histogram of this definition (seconds): created on first use, the same one after. */
  histogram<L extends string>(spec: CounterSpec<L> & { buckets: number[] }): Histogram<L> {
    const existing = this.registry.getSingleMetric(spec.name);
    if (existing) return existing as Histogram<L>;
    return new Histogram({ name: spec.name, help: spec.help, labelNames: spec.labelNames, buckets: spec.buckets, registers: [this.registry] });
  }

  /** A gauge read when scraped (`read` gives its value then): created on first use; a later `read` replaces the first. */
  gauge(spec: { name: string; help: string; read: () => number }): void {
    this.registry.removeSingleMetric(spec.name);
    new Gauge({ name: spec.name, help: spec.help, registers: [this.registry], collect() { this.set(spec.read()); } });
  }

  readonly receiverAccepted = new Counter({
    name: 'logsift_receiver_accepted_log_records_total',
    help: 'Log records a receiver accepted and the pipelines acknowledged.',
    labelNames: ['receiver', 'transport'] as const,
    registers: [this.registry],
  });
  readonly receiverRefused = new Counter({
    name: 'logsift_receiver_refused_log_records_total',
    help: 'Log records a receiver refused: malformed, over limits, or not acknowledged downstream.',
    labelNames: ['receiver', 'transport', 'reason'] as const,
    registers: [this.registry],
  });
  readonly receiverRefusedRequests = new Counter({
    name: 'logsift_receiver_refused_requests_total',
    help: 'Requests a receiver refused as a whole, by reason (malformed, too_large, unsupported_media_type, ...).',
    labelNames: ['receiver', 'transport', 'reason'] as const,
    registers: [this.registry],
  });
  readonly processorIncoming = new Counter({
    name: 'logsift_processor_incoming_log_records_total',
    help: 'Log records entering a processor.',
    labelNames: ['processor', 'pipeline'] as const,
    registers: [this.registry],
  });
  readonly processorOutgoing = new Counter({
    name: 'logsift_processor_outgoing_log_records_total',
    help: 'Log records leaving a processor.',
    labelNames: ['processor', 'pipeline'] as const,
    registers: [this.registry],
  });
  readonly processorRefused = new Counter({
    name: 'logsift_processor_refused_log_records_total',
    help: 'Log records a processor refused (the memory limiter above its soft limit); the client was told to retry.',
    labelNames: ['processor', 'pipeline'] as const,
    registers: [this.registry],
  });
  readonly exporterSent = new Counter({
    name: 'logsift_exporter_sent_log_records_total',
    help: 'Log records an exporter delivered.',
    labelNames: ['exporter'] as const,
    registers: [this.registry],
  });
  readonly exporterSendFailed = new Counter({
    name: 'logsift_exporter_send_failed_log_records_total',
    help: 'Log records an exporter failed to deliver.',
    labelNames: ['exporter'] as const,
    registers: [this.registry],
  });
  readonly exporterEnqueueFailed = new Counter({
    name: 'logsift_exporter_enqueue_failed_log_records_total',
    help: 'Log records an exporter refused because its sending queue was full (the client was told to retry).',
    labelNames: ['exporter'] as const,
    registers: [this.registry],
  });
  readonly exporterQueueSize = new Gauge({
    name: 'logsift_exporter_queue_size_log_records',
    help: 'Log records waiting in an exporter\'s sending queue or being sent.',
    labelNames: ['exporter'] as const,
    registers: [this.registry],
  });
  readonly exporterQueueCapacity = new Gauge({
    name: 'logsift_exporter_queue_capacity_log_records',
    help: 'Log records an exporter\'s sending queue holds at most (its queue_size): the queue\'s fill is size over capacity.',
    labelNames: ['exporter'] as const,
    registers: [this.registry],
  });
  readonly exporterRetries = new Counter({
    name: 'logsift_exporter_retries_total',
    help: 'Send attempts repeated after a retryable failure.',
    labelNames: ['exporter'] as const,
    registers: [this.registry],
  });
  readonly exporterDeadLettered = new Counter({
    name: 'logsift_exporter_dead_lettered_log_records_total',
    help: 'Log records the backend would never take, kept in the store\'s dead_letters table.',
    labelNames: ['exporter', 'reason'] as const,
    registers: [this.registry],
  });
  readonly exporterLost = new Counter({
    name: 'logsift_exporter_lost_log_records_total',
    help: 'Accepted log records that could neither be sent nor saved (the store failed). Should stay 0.',
    labelNames: ['exporter', 'reason'] as const,
    registers: [this.registry],
  });
  readonly inflightRecords = new Gauge({
    name: 'logsift_inflight_log_records',
    help: 'Accepted log records not yet acknowledged by every exporter.',
    registers: [this.registry],
  });

  /**
   * `processMetrics`: the process's own gauges (memory, CPU, event-loop delay, GC). Only the daemon's
   * telemetry collects them: each collection installs observers for the life of the process, so the
   * short-lived telemetry of a replay (two a tuner round, two a policy POST) must not — it leaked them.
   */
  constructor(options: { processMetrics?: boolean } = {}) {
    if (!options.processMetrics) return;
    collectDefaultMetrics({ register: this.registry, prefix: 'logsift_process_' });
    // What the heap may grow to before V8 gives up (--max-old-space-size, or its default for the machine):
    // heap used over this is how near the process is to dying of memory, whatever the container allows.
    this.gauge({ name: 'logsift_process_heap_limit_bytes', help: 'The V8 heap\'s size limit in bytes.', read: () => getHeapStatistics().heap_size_limit });
  }
}
