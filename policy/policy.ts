// The sampling policy: data, one JSON schema (this one is the source of truth), versioned. Authors — the
// config today, rules and LLMs in the tuner later — all produce this shape; invariants are enforced by the
// sampler whatever a policy says (ERROR and above always kept, first records of every pattern kept).
import { compileConfigSchema } from '../config/schema_validator.js';
import type { ConfigProblem } from '../config/problems.js';
import { SEVERITY_CLASSES, type SeverityClass } from './severity.js';
// The default lives apart from the schema (which needs ajv), so the SDKs' bundle takes it without a validator.
export { defaultPolicy } from './default_policy.js';

export type KeepRuleOp = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'exists' | 'matches';

export interface KeepRule {
  attribute: string;
  op: KeepRuleOp;
  value?: string | number | boolean;
}

/**
 * Dynamic mode's budget: any of records a second, bytes a second, or a fraction of the records seen (a
 * cost target that follows the volume); where several are set, the tightest wins. Records kept whatever
 * the budget says (errors, keep rules, first K) count against it. `scope: global` shares the base policy's
 * budget across every service whose policy says so; `service` gives each service its own.
 */
export interface Budget {
  records_per_second: number | null;
  bytes_per_second: number | null;
  keep_fraction: number | null;
  scope: 'service' | 'global';
}

export interface Policy {
  service: string;
  version: number;
  mode: 'static' | 'dynamic';
  severity_keep: Partial<Record<SeverityClass, number>>;
  pattern_keep: Record<string, number>;
  budget: Budget;
  first_k_per_window: number;
  keep_rules: KeepRule[];
  anomaly_boost: { keep: number; cooldown_seconds: number };
  reasoning: string;
}

const probability = { type: 'number', minimum: 0, maximum: 1 };

export const POLICY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['service', 'version', 'mode', 'severity_keep', 'pattern_keep', 'budget', 'first_k_per_window', 'keep_rules', 'anomaly_boost', 'reasoning'],
  properties: {
    service: { type: 'string', minLength: 1 },
    version: { type: 'integer', minimum: 0 },
    mode: { enum: ['static', 'dynamic'] },
    severity_keep: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(SEVERITY_CLASSES.map((c) => [c, probability])),
    },
    pattern_keep: { type: 'object', additionalProperties: probability },
    budget: {
      type: 'object',
      additionalProperties: false,
      required: ['records_per_second', 'bytes_per_second', 'keep_fraction', 'scope'],
      properties: {
        records_per_second: { type: ['number', 'null'], exclusiveMinimum: 0 },
        bytes_per_second: { type: ['number', 'null'], exclusiveMinimum: 0 },
        keep_fraction: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 1 },
        scope: { enum: ['service', 'global'] },
      },
    },
    first_k_per_window: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    keep_rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['attribute', 'op'],
        properties: {
          attribute: { type: 'string', minLength: 1 },
          op: { enum: ['==', '!=', '>', '>=', '<', '<=', 'exists', 'matches'] },
          value: { type: ['string', 'number', 'boolean'] },
        },
      },
    },
    anomaly_boost: {
      type: 'object',
      additionalProperties: false,
      required: ['keep', 'cooldown_seconds'],
      properties: { keep: probability, cooldown_seconds: { type: 'number', minimum: 0 } },
    },
    reasoning: { type: 'string' },
  },
};

const checkSchema = compileConfigSchema(POLICY_SCHEMA);

export function validatePolicy(policy: unknown): ConfigProblem[] {
  const problems = checkSchema(policy);
  if (problems.length > 0) return problems;
  const p = policy as Policy;
  p.keep_rules.forEach((rule, i) => {
    if (rule.op !== 'exists' && rule.value === undefined) problems.push({ path: `keep_rules[${i}].value`, message: `is required for ${rule.op}` });
    if (rule.op === 'matches') {
      try {
        new RegExp(String(rule.value));
      } catch (error) {
        problems.push({ path: `keep_rules[${i}].value`, message: `is not a regular expression: ${(error as Error).message}` });
      }
    }
  });
  if (p.mode === 'dynamic' && !hasBudget(p.budget)) {
    problems.push({ path: 'budget', message: 'dynamic mode needs records_per_second, bytes_per_second or keep_fraction' });
  }
  return problems;
}

/** The policy with its rate budgets (records and bytes a second) times `factor`; a keep fraction is a share already. */
export function scaleRateBudget(policy: Policy, factor: number): Policy {
  const { records_per_second, bytes_per_second } = policy.budget;
  return {
    ...policy,
    budget: {
      ...policy.budget,
      records_per_second: records_per_second === null ? null : records_per_second * factor,
      bytes_per_second: bytes_per_second === null ? null : bytes_per_second * factor,
    },
  };
}

export function hasBudget(budget: Budget): boolean {
  return budget.records_per_second !== null || budget.bytes_per_second !== null || budget.keep_fraction !== null;
}
