// The sampler's own metrics (pipeline/telemetry.ts has what every processor counts).
import type { Telemetry } from '../../pipeline/telemetry.js';

export function samplerMetrics(telemetry: Telemetry) {
  return {
    decisions: telemetry.counter({
      name: 'logsift_sampler_decisions_total',
      help: 'Sampling decisions: kept by reason (severity, rule, first, sampled) or dropped.',
      labelNames: ['processor', 'decision'] as const,
    }),
  };
}
