// The `tuner` extension's config: which author proposes policies (an LLM provider or the built-in rules), how
// often, within which limits, against which cost target, and how a proposal is guarded, replayed and watched.
import { duration, type Duration } from '../config/duration.js';
import { DURATION_SCHEMA, compileConfigSchema } from '../config/schema_validator.js';
import type { ConfigProblem } from '../pipeline/component.js';
import { KEEP_FLOOR } from '../policy/invariants.js';

export type ProviderName = 'openai' | 'anthropic' | 'ollama' | 'rules';

export interface PriceConfig {
  /** US dollars per million input (prompt) tokens and per million output tokens: what `cost_usd` records. */
  input_per_million: number;
  output_per_million: number;
}

export interface TunerConfig {
  provider: ProviderName;
  interval: Duration;
  /** Each wait is the interval ± this share of it, so many daemons do not call a provider in step. */
  jitter: number;
  /** No service's policy changes more often than this. */
  min_change_interval: Duration;
  /** Calls to an LLM provider per hour, all services together (rules rounds are free). */
  max_calls_per_hour: number;
  /** Services to tune; empty: every service the sampler has seen. */
  services: string[];
  /** The cost target: records kept over records seen (and bytes, if set), per service. */
  target: { keep_fraction: number; bytes_keep_fraction: number | null };
  guard: {
    /** No keep probability below this (the rate floor). */
    min_keep: number;
    /** A probability, fraction or rate changes by at most this factor per step, up or down. */
    max_step: number;
    /** First records per pattern and window: at least 1 (first occurrences), at most this. */
    max_first_k: number;
    /** An anomaly's boost keeps at least this share of its pattern. */
    min_boost: number;
  };
  replay: {
    /** Incident records (during an open anomaly, of its pattern) a candidate keeps, at least. */
    min_incident_retention: number;
  };
  watch: {
    /** After a change, this long is watched: a new anomaly or a budget breach in it rolls the change back. */
    window: Duration;
    /** A breach: the live keep fraction since the change above target × this. */
    budget_tolerance: number;
    /** Records the live sampler must have decided since the change before a breach is judged. */
    min_records: number;
  };
  context: { top_patterns: number; max_chars: number };
  /** Prompt template files (relative paths resolve against the process's working directory). */
  prompts: { system: string; user: string };
  timeout: Duration;
  retries: number;
  breaker: { failures: number; cooldown: Duration };
  openai: { base_url: string; api_key: string; model: string; price: PriceConfig };
  anthropic: { base_url: string; api_key: string; model: string; max_tokens: number; price: PriceConfig };
  ollama: { host: string; model: string };
  /** Policies served to the fleet: long-polls and consumers' status reports (see control_api.ts). */
  distribution: {
    /** The longest a `?wait=` long-poll is held (a longer one asked is cut to this). */
    max_wait: Duration;
    /** Long-polls held at once; past it a wait is answered at once with a retry hint. */
    max_open_waits: number;
    /** Consumers' latest status reports kept, all services together; the longest silent goes first. */
    max_consumers: number;
    webhooks: WebhooksConfig;
    /** What sidecars and SDKs report on `POST /api/v1/patterns/stats`, which the tuner decides on. */
    stats: FleetStatsConfig;
  };
}

export interface FleetStatsConfig {
  enabled: boolean;
  /** Reported windows are kept (and tuned on) this long. */
  retention: Duration;
  /** An instance silent this long no longer counts as a replica of its services. */
  instance_ttl: Duration;
  /** (service, window, pattern) rows kept, all services together; past it the oldest windows go. */
  max_rows: number;
  max_templates: number;
  /** How a per-service rate budget is split over replicas: by each one's `share` of the records, or equal parts (`replicas`). */
  budget_split: 'share' | 'replicas';
}

/** Signed POSTs (Standard Webhooks) on every policy change, retried, logged in the store. */
export interface WebhooksConfig {
  endpoints: Array<{ url: string; /** `whsec_` + base64 of 24–64 random bytes. */ secret: string; /** Absent or empty: every service. */ services?: string[] }>;
  /** Per attempt. */
  timeout: Duration;
  retry: { initial_interval: Duration; multiplier: number; max_interval: Duration; max_elapsed_time: Duration };
  /** Settled deliveries stay in the log this long. */
  keep: Duration;
}

const price = {
  type: 'object',
  additionalProperties: false,
  properties: { input_per_million: { type: 'number', minimum: 0 }, output_per_million: { type: 'number', minimum: 0 } },
};
const fraction = { type: 'number', exclusiveMinimum: 0, maximum: 1 };
const url = { type: 'string', pattern: '^https?://' };

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    provider: { enum: ['openai', 'anthropic', 'ollama', 'rules'] },
    interval: DURATION_SCHEMA,
    jitter: { type: 'number', minimum: 0, maximum: 0.5 },
    min_change_interval: DURATION_SCHEMA,
    max_calls_per_hour: { type: 'integer', minimum: 1 },
    services: { type: 'array', items: { type: 'string', minLength: 1 } },
    target: {
      type: 'object',
      additionalProperties: false,
      properties: { keep_fraction: fraction, bytes_keep_fraction: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 1 } },
    },
    guard: {
      type: 'object',
      additionalProperties: false,
      properties: {
        min_keep: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        max_step: { type: 'number', minimum: 1 },
        max_first_k: { type: 'integer', minimum: 1 },
        min_boost: { type: 'number', minimum: 0, maximum: 1 },
      },
    },
    replay: { type: 'object', additionalProperties: false, properties: { min_incident_retention: { type: 'number', minimum: 0, maximum: 1 } } },
    watch: {
      type: 'object',
      additionalProperties: false,
      properties: { window: DURATION_SCHEMA, budget_tolerance: { type: 'number', minimum: 1 }, min_records: { type: 'integer', minimum: 1 } },
    },
    context: {
      type: 'object',
      additionalProperties: false,
      properties: { top_patterns: { type: 'integer', minimum: 1, maximum: 200 }, max_chars: { type: 'integer', minimum: 1000 } },
    },
    prompts: { type: 'object', additionalProperties: false, properties: { system: { type: 'string', minLength: 1 }, user: { type: 'string', minLength: 1 } } },
    timeout: DURATION_SCHEMA,
    retries: { type: 'integer', minimum: 0, maximum: 10 },
    breaker: { type: 'object', additionalProperties: false, properties: { failures: { type: 'integer', minimum: 1 }, cooldown: DURATION_SCHEMA } },
    openai: {
      type: 'object',
      additionalProperties: false,
      properties: { base_url: url, api_key: { type: 'string' }, model: { type: 'string', minLength: 1 }, price },
    },
    anthropic: {
      type: 'object',
      additionalProperties: false,
      properties: { base_url: url, api_key: { type: 'string' }, model: { type: 'string', minLength: 1 }, max_tokens: { type: 'integer', minimum: 256 }, price },
    },
    ollama: { type: 'object', additionalProperties: false, properties: { host: url, model: { type: 'string', minLength: 1 } } },
    distribution: {
      type: 'object',
      additionalProperties: false,
      properties: {
        max_wait: DURATION_SCHEMA,
        max_open_waits: { type: 'integer', minimum: 0 },
        max_consumers: { type: 'integer', minimum: 1 },
        webhooks: {
          type: 'object',
          additionalProperties: false,
          properties: {
            endpoints: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['url', 'secret'],
                properties: { url, secret: { type: 'string' }, services: { type: 'array', items: { type: 'string', minLength: 1 } } },
              },
            },
            timeout: DURATION_SCHEMA,
            retry: {
              type: 'object',
              additionalProperties: false,
              properties: { initial_interval: DURATION_SCHEMA, multiplier: { type: 'number', minimum: 1 }, max_interval: DURATION_SCHEMA, max_elapsed_time: DURATION_SCHEMA },
            },
            keep: DURATION_SCHEMA,
          },
        },
        stats: {
          type: 'object',
          additionalProperties: false,
          properties: {
            enabled: { type: 'boolean' },
            retention: DURATION_SCHEMA,
            instance_ttl: DURATION_SCHEMA,
            max_rows: { type: 'integer', minimum: 1 },
            max_templates: { type: 'integer', minimum: 1 },
            budget_split: { enum: ['share', 'replicas'] },
          },
        },
      },
    },
  },
};

const checkSchema = compileConfigSchema(schema);

export function validateTunerConfig(config: TunerConfig): ConfigProblem[] {
  const problems = checkSchema(config);
  if (problems.length > 0) return problems;
  if (config.provider === 'openai' && config.openai.api_key === '') problems.push({ path: 'openai.api_key', message: 'is required for provider openai (e.g. ${env:OPENAI_API_KEY})' });
  if (config.provider === 'anthropic' && config.anthropic.api_key === '') problems.push({ path: 'anthropic.api_key', message: 'is required for provider anthropic (e.g. ${env:ANTHROPIC_API_KEY})' });
  if (config.provider === 'openai' && !/\/v1\/?$/.test(config.openai.base_url)) problems.push({ path: 'openai.base_url', message: 'must end in /v1 (the client appends /chat/completions)' });
  if (config.interval.ms < 1000) problems.push({ path: 'interval', message: 'must be at least 1s' });
  if (config.distribution.stats.retention.ms < 60_000) problems.push({ path: 'distribution.stats.retention', message: 'must be at least 1m: a few of the sampler\'s windows' });
  config.distribution.webhooks.endpoints.forEach((endpoint, i) => {
    const problem = secretProblem(endpoint.secret);
    if (problem) problems.push({ path: `distribution.webhooks.endpoints.${i}.secret`, message: problem });
  });
  return problems;
}

export function defaultTunerConfig(): TunerConfig {
  return {
    provider: 'rules',
    interval: duration('5m'),
    jitter: 0.1,
    min_change_interval: duration('15m'),
    max_calls_per_hour: 12,
    services: [],
    target: { keep_fraction: 0.05, bytes_keep_fraction: null },
    guard: { min_keep: KEEP_FLOOR, max_step: 4, max_first_k: 100, min_boost: 0.5 },
    replay: { min_incident_retention: 0.9 },
    watch: { window: duration('10m'), budget_tolerance: 1.5, min_records: 1000 },
    context: { top_patterns: 20, max_chars: 12_000 },
    prompts: { system: 'config/prompts/system.md', user: 'config/prompts/user.md' },
    timeout: duration('30s'),
    retries: 2,
    breaker: { failures: 3, cooldown: duration('15m') },
    openai: { base_url: 'https://api.openai.com/v1', api_key: '', model: 'gpt-4o-mini', price: { input_per_million: 0, output_per_million: 0 } },
    anthropic: { base_url: 'https://api.anthropic.com', api_key: '', model: 'claude-sonnet-4-5', max_tokens: 2048, price: { input_per_million: 0, output_per_million: 0 } },
    ollama: { host: 'http://127.0.0.1:11434', model: 'llama3.1' },
    distribution: {
      max_wait: duration('60s'),
      max_open_waits: 10_000,
      max_consumers: 10_000,
      webhooks: {
        endpoints: [],
        timeout: duration('10s'),
        retry: { initial_interval: duration('5s'), multiplier: 2, max_interval: duration('5m'), max_elapsed_time: duration('24h') },
        keep: duration('168h'),
      },
      stats: { enabled: true, retention: duration('15m'), instance_ttl: duration('2m'), max_rows: 200_000, max_templates: 100_000, budget_split: 'share' },
    },
  };
}

/** Standard Webhooks secrets: `whsec_` and the base64 of 24 to 64 random bytes (the HMAC key). */
function secretProblem(secret: string): string | undefined {
  const hint = 'must be whsec_ followed by the base64 of 24 to 64 random bytes, e.g. ${env:LOGSIFT_WEBHOOK_SECRET} set to whsec_$(openssl rand -base64 32)';
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match) return hint;
  const bytes = Buffer.from(match[1]!, 'base64').length;
  return bytes >= 24 && bytes <= 64 ? undefined : hint;
}
