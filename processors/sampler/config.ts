// The sampler's settings: their shape, schema and defaults, and each service's policy (its own merged over
// the base one). Validation checks the settings and every policy they name.
import { duration, type Duration } from '../../config/duration.js';
import { mergeDefaults } from '../../config/merge.js';
import { DURATION_SCHEMA, compileConfigSchema } from '../../config/schema_validator.js';
import type { ConfigProblem } from '../../pipeline/component.js';
import { SEVERITY_CLASSES, severityRank, type SeverityClass } from '../../policy/severity.js';
import { defaultPolicy, hasBudget, validatePolicy, type Policy } from '../../policy/policy.js';
import { ALWAYS_KEPT_FROM, KEEP_FLOOR } from '../../policy/invariants.js';

export interface SamplerConfig {
  window: Duration;
  time: 'arrival' | 'record';
  keep_at_or_above: SeverityClass;
  /** No probability goes below this, whatever a policy asks. */
  min_keep: number;
  dry_run: boolean;
  pattern_attribute: string;
  /**
   * Which of the optional attributes kept records carry (logsift.sample_count always: it makes counts
   * exact). Each costs a kept record some 25 protobuf bytes — on short lines a share of the bill.
   */
  attributes: { sample_rate: boolean; sample_reason: boolean };
  /** The policy for every service without its own. */
  policy: Policy;
  /** Per-service policies, each merged over `policy`. */
  services: Record<string, Partial<Policy>>;
  /** `events`: publish each window's rows as an event (the posthog exporter sends them through /batch/). */
  ledger: { enabled: boolean; flush_interval: Duration; events: boolean };
  /** Dropped records kept in memory so an anomaly can bring back its last `window` of lines. */
  retro: { enabled: boolean; window: Duration; max_per_pattern: number; max_total: number };
  /** What anomaly boosts may keep beyond the policy (boost_budget.ts). */
  boost: { budget_share: number; burst_windows: number; payback: number; onset: Duration };
  /** The recent traffic kept for the tuner's replay gate and its watch after a change. */
  tape: { enabled: boolean; window: Duration; max_records: number };
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    window: DURATION_SCHEMA,
    time: { enum: ['arrival', 'record'] },
    keep_at_or_above: { enum: SEVERITY_CLASSES.filter((c) => severityRank(c) <= severityRank(ALWAYS_KEPT_FROM) && c !== 'UNSPECIFIED') },
    min_keep: { type: 'number', minimum: 0, maximum: 1 },
    dry_run: { type: 'boolean' },
    pattern_attribute: { type: 'string', minLength: 1 },
    attributes: { type: 'object', additionalProperties: false, properties: { sample_rate: { type: 'boolean' }, sample_reason: { type: 'boolean' } } },
    policy: { type: 'object' },
    services: { type: 'object', additionalProperties: { type: 'object' } },
    ledger: {
      type: 'object',
      additionalProperties: false,
      properties: { enabled: { type: 'boolean' }, flush_interval: DURATION_SCHEMA, events: { type: 'boolean' } },
    },
    boost: {
      type: 'object',
      additionalProperties: false,
      properties: {
        budget_share: { type: 'number', minimum: 0 },
        burst_windows: { type: 'number', minimum: 1 },
        payback: { type: 'number', minimum: 0, maximum: 1 },
        onset: DURATION_SCHEMA,
      },
    },
    retro: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        window: DURATION_SCHEMA,
        max_per_pattern: { type: 'integer', minimum: 1 },
        max_total: { type: 'integer', minimum: 1 },
      },
    },
    tape: {
      type: 'object',
      additionalProperties: false,
      properties: { enabled: { type: 'boolean' }, window: DURATION_SCHEMA, max_records: { type: 'integer', minimum: 1 } },
    },
  },
};
const checkSchema = compileConfigSchema(schema);

/** The config's policy for a service, named for it (what the control API serves and consumers apply). */
export function servicePolicy(config: SamplerConfig, service: string): Policy {
  const own = config.services[service];
  return own ? ({ ...(mergeDefaults(config.policy, own) as Policy), service } as Policy) : { ...config.policy, service };
}

export function validateSamplerConfig(config: SamplerConfig): ConfigProblem[] {
  const problems = checkSchema(config);
  if (problems.length > 0) return problems;
  for (const problem of validatePolicy(config.policy)) problems.push({ path: `policy.${problem.path}`, message: problem.message });
  for (const service of Object.keys(config.services)) {
    const policy = servicePolicy(config, service);
    for (const problem of validatePolicy(policy)) problems.push({ path: `services.${service}.${problem.path}`, message: problem.message });
    if (policy.mode === 'dynamic' && policy.budget.scope === 'global' && !hasBudget(config.policy.budget)) {
      problems.push({ path: `services.${service}.budget.scope`, message: 'global shares the base policy\'s budget, and it sets none' });
    }
  }
  return problems;
}

export function defaultSamplerConfig(): SamplerConfig {
  return {
    window: duration('1m'),
    time: 'arrival',
    keep_at_or_above: ALWAYS_KEPT_FROM,
    min_keep: KEEP_FLOOR,
    dry_run: false,
    pattern_attribute: 'logsift.pattern.id',
    attributes: { sample_rate: true, sample_reason: true },
    policy: defaultPolicy(),
    services: {},
    ledger: { enabled: true, flush_interval: duration('10s'), events: true },
    retro: { enabled: true, window: duration('60s'), max_per_pattern: 200, max_total: 10_000 },
    boost: { budget_share: 1, burst_windows: 60, payback: 0.5, onset: duration('30s') },
    tape: { enabled: true, window: duration('10m'), max_records: 100_000 },
  };
}
