// The sampler's own metrics (pipeline/telemetry.ts has what every processor counts).
import type { Telemetry } from '../../pipeline/telemetry.js';

export function samplerMetrics(telemetry: Telemetry) {
  return {
    decisions: telemetry.counter({
      name: 'logsift_sampler_decisions_total',
      help: 'Sampling decisions: kept by reason (severity, rule, first, sampled) or dropped.',
      labelNames: ['processor', 'decision'] as const,
    }),
    wireBytes: telemetry.counter({
      name: 'logsift_sampler_wire_bytes_total',
      help: 'Records\' protobuf bytes: seen as they arrived, and kept as sent on (what a backend billing bytes ingested is sent); seen less kept is what sampling saved.',
      labelNames: ['processor', 'direction'] as const,
    }),
  };
}
