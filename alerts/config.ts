// The `alerts` extension's config, in Alertmanager's words where it has them: how findings group into alerts
// and how often an alert is told again, which kinds must persist before they count, and the destinations.
import { duration, type Duration } from '../config/duration.js';
import { DURATION_SCHEMA, compileConfigSchema } from '../config/schema_validator.js';
import type { ConfigProblem } from '../pipeline/component.js';
import type { FindingKind } from './alert_engine.js';
import { HHMM, WEEKDAYS, timeZoneProblem, type QuietInterval } from './quiet_hours.js';

export const FINDING_KINDS: FindingKind[] = ['spike', 'drop', 'level_shift', 'new_pattern', 'error_ratio', 'silence'];

interface DestinationBase {
  name: string;
  /** Services whose alerts go there; absent or empty: every service. */
  services?: string[];
}

export interface AlertsConfig {
  group_by: Array<'service' | 'pattern'>;
  group_wait: Duration;
  group_interval: Duration;
  repeat_interval: Duration;
  send_resolved: boolean;
  /** Per kind: how long a finding must stay open before it counts (N of M for noisy kinds). */
  confirm_for: Partial<Record<FindingKind, Duration>>;
  /** `errors`: a new pattern alerts only when its records are ERROR or above; `all`: any new pattern. */
  new_patterns: 'errors' | 'all';
  /** Notifications held while one of these is on (Alertmanager's mute time intervals). */
  quiet_hours: { intervals: QuietInterval[]; time_zone: string; hold_critical: boolean };
  keep_resolved: number;
  /**
   * After a restart, open alerts are restored as they were notified; the detector that found them starts
   * afresh, so each restored finding closes after this unless its service is found again within it.
   */
  restored_grace: Duration;
  max_silences: number;
  /** Links in alerts point here (the telemetry server as the people paged can reach it). */
  external_url: string;
  /**
   * `pattern`: where a pattern's records can be seen (your backend's search, say PostHog's logs filtered on
   * `logsift.pattern.id`), with `{service}` and `{pattern_id}` filled in, URL-encoded; none when empty.
   */
  links: { pattern: string };
  /** Lines kept (or brought back) while a finding was open, redacted, sent with each finding. */
  sample_lines: number;
  /** Publish `logsift alert fired` / `logsift alert resolved` events (the posthog exporter sends them). */
  events: boolean;
  timeout: Duration;
  retry: { initial_interval: Duration; max_interval: Duration };
  /** A destination failing this long is marked broken. */
  broken_after: Duration;
  /** Explanations, after an alert went out: the built-in rules (they abstain on causes), an LLM provider, or none. */
  explain: {
    provider: 'none' | 'rules' | 'openai' | 'anthropic' | 'ollama';
    openai: { base_url: string; api_key: string; model: string };
    anthropic: { base_url: string; api_key: string; model: string; max_tokens: number };
    ollama: { host: string; model: string };
    timeout: Duration;
    retries: number;
    max_calls_per_hour: number;
    /** Causes below this confidence are dropped. */
    min_confidence: number;
  };
  slack: Array<DestinationBase & { url: string }>;
  /** `url`: the Events API v2 endpoint, https://events.pagerduty.com/v2/enqueue unless given. */
  pagerduty: Array<DestinationBase & { routing_key: string; url?: string }>;
  webhook: Array<DestinationBase & { url: string; secret: string }>;
}

const url = { type: 'string', pattern: '^https?://' };
const base = { name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' }, services: { type: 'array', items: { type: 'string', minLength: 1 } } };

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    group_by: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['service', 'pattern'] } },
    group_wait: DURATION_SCHEMA,
    group_interval: DURATION_SCHEMA,
    repeat_interval: DURATION_SCHEMA,
    send_resolved: { type: 'boolean' },
    confirm_for: { type: 'object', additionalProperties: false, properties: Object.fromEntries(FINDING_KINDS.map((k) => [k, DURATION_SCHEMA])) },
    new_patterns: { enum: ['errors', 'all'] },
    quiet_hours: {
      type: 'object',
      additionalProperties: false,
      properties: {
        intervals: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'to'],
            properties: { weekdays: { type: 'array', items: { enum: [...WEEKDAYS] } }, from: { type: 'string', pattern: HHMM }, to: { type: 'string', pattern: HHMM } },
          },
        },
        time_zone: { type: 'string', minLength: 1 },
        hold_critical: { type: 'boolean' },
      },
    },
    keep_resolved: { type: 'integer', minimum: 0 },
    restored_grace: DURATION_SCHEMA,
    max_silences: { type: 'integer', minimum: 1 },
    external_url: { type: 'string' },
    links: { type: 'object', additionalProperties: false, properties: { pattern: { type: 'string', pattern: '^(https?://.*)?$' } } },
    sample_lines: { type: 'integer', minimum: 0, maximum: 5 },
    events: { type: 'boolean' },
    timeout: DURATION_SCHEMA,
    retry: { type: 'object', additionalProperties: false, properties: { initial_interval: DURATION_SCHEMA, max_interval: DURATION_SCHEMA } },
    broken_after: DURATION_SCHEMA,
    explain: {
      type: 'object',
      additionalProperties: false,
      properties: {
        provider: { enum: ['none', 'rules', 'openai', 'anthropic', 'ollama'] },
        openai: { type: 'object', additionalProperties: false, properties: { base_url: url, api_key: { type: 'string' }, model: { type: 'string', minLength: 1 } } },
        anthropic: { type: 'object', additionalProperties: false, properties: { base_url: url, api_key: { type: 'string' }, model: { type: 'string', minLength: 1 }, max_tokens: { type: 'integer', minimum: 1 } } },
        ollama: { type: 'object', additionalProperties: false, properties: { host: url, model: { type: 'string', minLength: 1 } } },
        timeout: DURATION_SCHEMA,
        retries: { type: 'integer', minimum: 0, maximum: 10 },
        max_calls_per_hour: { type: 'integer', minimum: 0 },
        min_confidence: { type: 'number', minimum: 0, maximum: 1 },
      },
    },
    slack: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['name', 'url'], properties: { ...base, url } } },
    pagerduty: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['name', 'routing_key'], properties: { ...base, routing_key: { type: 'string', minLength: 32, maxLength: 32 }, url } },
    },
    webhook: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['name', 'url', 'secret'], properties: { ...base, url, secret: { type: 'string', minLength: 16 } } } },
  },
};

const checkSchema = compileConfigSchema(schema);

export function validateAlertsConfig(config: AlertsConfig): ConfigProblem[] {
  const problems = checkSchema(config);
  if (problems.length > 0) return problems;
  if (!config.group_by.includes('service')) problems.push({ path: 'group_by', message: 'must include service: an alert is about one service' });
  const explain = config.explain;
  if ((explain.provider === 'openai' || explain.provider === 'anthropic') && explain[explain.provider].api_key === '') {
    problems.push({ path: `explain.${explain.provider}.api_key`, message: `is required for provider ${explain.provider} (e.g. \${env:${explain.provider === 'openai' ? 'OPENAI' : 'ANTHROPIC'}_API_KEY})` });
  }
  if (explain.provider === 'openai' && !/\/v1\/?$/.test(explain.openai.base_url)) problems.push({ path: 'explain.openai.base_url', message: 'must end in /v1 (the client appends /chat/completions)' });
  const zone = timeZoneProblem(config.quiet_hours.time_zone);
  if (zone) problems.push({ path: 'quiet_hours.time_zone', message: zone });
  const names = new Set<string>();
  for (const type of ['slack', 'pagerduty', 'webhook'] as const) {
    config[type].forEach((d, i) => {
      const id = `${type}/${d.name}`;
      if (names.has(id)) problems.push({ path: `${type}.${i}.name`, message: `${id} is named twice` });
      names.add(id);
    });
  }
  return problems;
}

export function defaultAlertsConfig(): AlertsConfig {
  return {
    group_by: ['service'],
    group_wait: duration('30s'),
    group_interval: duration('5m'),
    repeat_interval: duration('4h'),
    send_resolved: true,
    confirm_for: { level_shift: duration('2m') },
    new_patterns: 'errors',
    quiet_hours: { intervals: [], time_zone: 'UTC', hold_critical: false },
    keep_resolved: 200,
    restored_grace: duration('15m'),
    max_silences: 1000,
    external_url: '',
    links: { pattern: '' },
    sample_lines: 3,
    events: true,
    timeout: duration('10s'),
    retry: { initial_interval: duration('5s'), max_interval: duration('5m') },
    broken_after: duration('15m'),
    explain: {
      provider: 'rules',
      openai: { base_url: 'https://api.openai.com/v1', api_key: '', model: 'gpt-4o-mini' },
      anthropic: { base_url: 'https://api.anthropic.com', api_key: '', model: 'claude-sonnet-4-5', max_tokens: 2048 },
      ollama: { host: 'http://127.0.0.1:11434', model: 'llama3.1' },
      timeout: duration('30s'),
      retries: 1,
      max_calls_per_hour: 30,
      min_confidence: 0.2,
    },
    slack: [],
    pagerduty: [],
    webhook: [],
  };
}
