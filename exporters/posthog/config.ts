// The `posthog` exporter's config: the capture host and the project token, as PostHog's OTLP docs name them,
// plus the helper's sending_queue / retry_on_failure / timeout.
import { compileConfigSchema } from '../../config/schema_validator.js';
import type { ConfigProblem } from '../../pipeline/component.js';
import { HELPER_SCHEMA_PROPERTIES, helperDefaults, type HelperConfig } from '../helper/config.js';

export interface PosthogExporterConfig extends HelperConfig {
  /** The ingestion host, e.g. https://us.i.posthog.com; logs go to {endpoint}/i/v1/logs. */
  endpoint: string;
  /** The project token (phc_...). */
  api_key: string;
  compression: 'gzip' | 'none';
  /** Uncompressed protobuf bytes per request; PostHog's limit is 2 MiB, its docs advise staying near 1.5 MiB. */
  max_request_bytes: number;
  /** service.name given to resources that carry none (PostHog's drop and rate rules match on it). */
  default_service_name: string;
  /** Send daemon events (anomalies opened and closed) as PostHog events through /batch/. */
  events: { enabled: boolean };
}

export const POSTHOG_BODY_LIMIT = 2 * 1024 * 1024;

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['api_key'],
  properties: {
    endpoint: { type: 'string', pattern: '^https?://' },
    api_key: { type: 'string', minLength: 1 },
    compression: { enum: ['gzip', 'none'] },
    max_request_bytes: { type: 'integer', minimum: 1024, maximum: POSTHOG_BODY_LIMIT },
    default_service_name: { type: 'string', minLength: 1 },
    events: { type: 'object', additionalProperties: false, properties: { enabled: { type: 'boolean' } } },
    ...HELPER_SCHEMA_PROPERTIES,
  },
};

const checkSchema = compileConfigSchema(schema);

export function validatePosthogConfig(config: PosthogExporterConfig): ConfigProblem[] {
  const problems = checkSchema(config);
  if (typeof config.api_key === 'string') {
    if (config.api_key.startsWith('phx_')) {
      problems.push({ path: 'api_key', message: 'this is a personal API key (phx_); log ingestion takes the project token (phc_)' });
    } else if (config.api_key.length > 64 || !/^[\x21-\x7e]+$/.test(config.api_key)) {
      problems.push({ path: 'api_key', message: 'a project token is at most 64 printable ASCII characters' });
    }
  }
  return problems;
}

export function defaultPosthogConfig(): PosthogExporterConfig {
  return {
    endpoint: 'https://us.i.posthog.com',
    compression: 'gzip',
    max_request_bytes: 1536 * 1024,
    default_service_name: 'unknown_service',
    events: { enabled: true },
    ...helperDefaults(true),
  } as PosthogExporterConfig; // api_key has no default: it is required.
}
