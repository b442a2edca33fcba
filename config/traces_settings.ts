// `service.telemetry.traces`: where the daemon's traces of its own work go (pipeline/self_tracing.ts).
export interface TracesSettings {
  /** OTLP/HTTP traces endpoint, the full URL (`http://tempo:4318/v1/traces`). */
  endpoint: string;
  headers?: Record<string, string>;
  /** The share of root spans kept (children follow their parent). */
  sampling_ratio?: number;
}

export const TRACES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['endpoint'],
  properties: {
    endpoint: { type: 'string', pattern: '^https?://' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    sampling_ratio: { type: 'number', minimum: 0, maximum: 1 },
  },
};
