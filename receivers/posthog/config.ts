// The `posthog` receiver's config: which PostHog, which project and key (a personal key, phx_…, with
// logs:read), what range and services to read back, in what slices.
import { compileConfigSchema } from '../../config/schema_validator.js';
import type { ConfigProblem } from '../../pipeline/component.js';
import { backfillRange } from './range.js';

export interface PosthogReceiverConfig {
  /** The app host (not the `.i.` ingestion host): https://us.posthog.com, https://eu.posthog.com, your own. */
  endpoint: string;
  project_id: string;
  personal_api_key: string;
  /** ISO 8601, or a span back from `to` ("24h", "7d"). */
  from: string;
  /** ISO 8601, or "now" (the daemon's start, aligned down to a whole slice). */
  to: string;
  /** A duration: the backfill's time slices. */
  slice: string;
  /** Only these services (all when empty). */
  services: string[];
  /** Rows a page (PostHog clamps to 2,000). */
  page_size: number;
  /** Queries in flight at once (PostHog allows 3 per team). */
  max_in_flight: number;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['project_id', 'personal_api_key'],
  properties: {
    endpoint: { type: 'string', pattern: '^https?://' },
    project_id: { type: 'string', pattern: '^[0-9]+$' },
    personal_api_key: { type: 'string', minLength: 1 },
    from: { type: 'string', minLength: 1 },
    to: { type: 'string', minLength: 1 },
    slice: { type: 'string', minLength: 1 },
    services: { type: 'array', items: { type: 'string', minLength: 1 } },
    page_size: { type: 'integer', minimum: 1, maximum: 2000 },
    max_in_flight: { type: 'integer', minimum: 1, maximum: 3 },
  },
};

const checkSchema = compileConfigSchema(schema);

export function validatePosthogReceiverConfig(config: PosthogReceiverConfig): ConfigProblem[] {
  const problems = checkSchema(config);
  if (problems.length > 0) return problems;
  if (config.personal_api_key.startsWith('phc_')) problems.push({ path: 'personal_api_key', message: 'this is a project token (phc_); reading logs back takes a personal API key (phx_) with logs:read' });
  const range = backfillRange(config, Date.now());
  if (typeof range === 'string') problems.push({ path: range.split(' ')[0]!, message: range });
  return problems;
}

export function defaultPosthogReceiverConfig(): PosthogReceiverConfig {
  return { endpoint: 'https://us.posthog.com', from: '24h', to: 'now', slice: '1h', services: [], page_size: 2000, max_in_flight: 3 } as unknown as PosthogReceiverConfig; // project_id and the key have no default.
}
