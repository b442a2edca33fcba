// The PostHog exporter's own metrics: the daemon events it carries (what every exporter counts is in
// pipeline/telemetry.ts).
import type { Telemetry } from '../../pipeline/telemetry.js';

export function posthogMetrics(telemetry: Telemetry) {
  return {
    eventsSent: telemetry.counter({
      name: 'logsift_exporter_events_sent_total',
      help: 'Daemon events (anomalies) an exporter delivered.',
      labelNames: ['exporter'] as const,
    }),
    eventsFailed: telemetry.counter({
      name: 'logsift_exporter_events_failed_total',
      help: 'Daemon events an exporter could not deliver (logged).',
      labelNames: ['exporter'] as const,
    }),
  };
}
