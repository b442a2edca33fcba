// The tuner's own metrics.
import type { Telemetry } from '../pipeline/telemetry.js';

export function tunerMetrics(telemetry: Telemetry) {
  return {
    rounds: telemetry.counter({
      name: 'logsift_tuner_rounds_total',
      help: 'Tuner rounds by provider and outcome (accepted, rejected, unchanged, failed, skipped_unchanged, skipped_call_limit, skipped_min_interval, rolled_back).',
      labelNames: ['provider', 'outcome'] as const,
    }),
    tokens: telemetry.counter({
      name: 'logsift_tuner_tokens_total',
      help: 'Tokens the tuner spent, by provider and direction (input, output).',
      labelNames: ['provider', 'direction'] as const,
    }),
    webhooks: telemetry.counter({
      name: 'logsift_policy_webhooks_total',
      help: 'Policy webhook deliveries by outcome: delivered, failed (for good), retried (an attempt that will be repeated).',
      labelNames: ['outcome'] as const,
    }),
    statusReports: telemetry.counter({
      name: 'logsift_policy_status_reports_total',
      help: 'Status reports from policy consumers, by status (applying, applied, failed).',
      labelNames: ['status'] as const,
    }),
    fleetReports: telemetry.counter({
      name: 'logsift_fleet_stats_reports_total',
      help: 'Pattern stats reports from sidecars and SDKs, by outcome: accepted, duplicate (a batch counted before), refused (invalid).',
      labelNames: ['outcome'] as const,
    }),
    fleetRows: telemetry.counter({
      name: 'logsift_fleet_stats_rows_total',
      help: 'Pattern windows counted from the fleet\'s reports.',
      labelNames: [] as const,
    }),
  };
}
