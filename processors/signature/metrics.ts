// The signature processor's own metrics.
import type { Telemetry } from '../../pipeline/telemetry.js';

export function signatureMetrics(telemetry: Telemetry) {
  return {
    evicted: telemetry.counter({
      name: 'logsift_signature_patterns_evicted_total',
      help: 'Patterns the miner dropped to stay under max_patterns_per_service (least recently used first).',
      labelNames: ['processor'] as const,
    }),
  };
}
