// The anomaly processor's own metrics.
import type { Telemetry } from '../../pipeline/telemetry.js';

export function anomalyMetrics(telemetry: Telemetry) {
  return {
    opened: telemetry.counter({
      name: 'logsift_anomalies_opened_total',
      help: 'Anomalies opened, by kind (spike, drop, new_pattern, error_ratio, silence).',
      labelNames: ['processor', 'kind'] as const,
    }),
  };
}
