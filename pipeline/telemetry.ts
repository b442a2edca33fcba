// The daemon's own metrics, in the Collector's naming, on a private prom-client registry so several
// daemons in one process (tests) never share counters.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export class Telemetry {
  readonly registry = new Registry();

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
  readonly signatureEvicted = new Counter({
    name: 'logsift_signature_patterns_evicted_total',
    help: 'Patterns the miner dropped to stay under max_patterns_per_service (least recently used first).',
    labelNames: ['processor'] as const,
    registers: [this.registry],
  });
  readonly tunerRounds = new Counter({
    name: 'logsift_tuner_rounds_total',
    help: 'Tuner rounds by provider and outcome (accepted, rejected, unchanged, failed, skipped_unchanged, skipped_call_limit, skipped_min_interval, rolled_back).',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly tunerTokens = new Counter({
    name: 'logsift_tuner_tokens_total',
    help: 'Tokens the tuner spent, by provider and direction (input, output).',
    labelNames: ['provider', 'direction'] as const,
    registers: [this.registry],
  });
  readonly samplerDecisions = new Counter({
    name: 'logsift_sampler_decisions_total',
    help: 'Sampling decisions: kept by reason (severity, rule, first, sampled) or dropped.',
    labelNames: ['processor', 'decision'] as const,
    registers: [this.registry],
  });
  readonly anomaliesOpened = new Counter({
    name: 'logsift_anomalies_opened_total',
    help: 'Anomalies opened, by kind (spike, drop, new_pattern, error_ratio, silence).',
    labelNames: ['processor', 'kind'] as const,
    registers: [this.registry],
  });
  readonly eventsSent = new Counter({
    name: 'logsift_exporter_events_sent_total',
    help: 'Daemon events (anomalies) an exporter delivered.',
    labelNames: ['exporter'] as const,
    registers: [this.registry],
  });
  readonly eventsFailed = new Counter({
    name: 'logsift_exporter_events_failed_total',
    help: 'Daemon events an exporter could not deliver (logged).',
    labelNames: ['exporter'] as const,
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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'logsift_process_' });
  }
}
