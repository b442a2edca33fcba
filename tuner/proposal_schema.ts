// The policy as an author writes it: the one policy schema (policy/policy.ts) in the strict form
// structured outputs require — every object closed, every property required (optional ones nullable), no map
// types (pattern_keep becomes a list) and no numeric bounds (providers ignore them; the guard clamps). The
// service and version are not the author's to choose.
import { SEVERITY_CLASSES } from '../policy/severity.js';
import { POLICY_SCHEMA, type KeepRule, type Policy } from '../policy/policy.js';

const policyProps = POLICY_SCHEMA.properties;

type JsonSchema = { [key: string]: unknown };

/** The schema without the bounds strict structured outputs do not accept, and with a type on every enum. */
function strict(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength'].includes(key)) continue;
    out[key] = value !== null && typeof value === 'object' && !Array.isArray(value) ? strict(value as JsonSchema) : value;
  }
  if (Array.isArray(out.enum) && out.type === undefined && out.enum.every((v) => typeof v === 'string')) out.type = 'string';
  return out;
}

const closed = (properties: Record<string, unknown>): JsonSchema => ({ type: 'object', additionalProperties: false, required: Object.keys(properties), properties });

export const PROPOSAL_SCHEMA: JsonSchema = closed({
  mode: strict(policyProps.mode),
  severity_keep: closed(Object.fromEntries(SEVERITY_CLASSES.map((c) => [c, { type: 'number' }]))),
  pattern_keep: { type: 'array', items: closed({ pattern_id: { type: 'string' }, keep: { type: 'number' } }) },
  budget: strict(policyProps.budget),
  first_k_per_window: { type: 'integer' },
  keep_rules: {
    type: 'array',
    items: closed({
      attribute: { type: 'string' },
      op: strict(policyProps.keep_rules.items.properties.op),
      value: { type: ['string', 'number', 'boolean', 'null'] },
    }),
  },
  anomaly_boost: strict(policyProps.anomaly_boost),
  reasoning: { type: 'string' },
});

export interface Proposal {
  mode: Policy['mode'];
  severity_keep: Policy['severity_keep'];
  pattern_keep: Array<{ pattern_id: string; keep: number }>;
  budget: Policy['budget'];
  first_k_per_window: number;
  keep_rules: Array<Omit<KeepRule, 'value'> & { value: KeepRule['value'] | null }>;
  anomaly_boost: Policy['anomaly_boost'];
  reasoning: string;
}

export function policyFromProposal(proposal: Proposal, service: string, version: number): Policy {
  return {
    service,
    version,
    mode: proposal.mode,
    severity_keep: { ...proposal.severity_keep },
    pattern_keep: Object.fromEntries(proposal.pattern_keep.map((p) => [p.pattern_id, p.keep])),
    budget: { ...proposal.budget },
    first_k_per_window: proposal.first_k_per_window,
    keep_rules: proposal.keep_rules.map((r) => (r.value === null ? { attribute: r.attribute, op: r.op } : { attribute: r.attribute, op: r.op, value: r.value })),
    anomaly_boost: { ...proposal.anomaly_boost },
    reasoning: proposal.reasoning,
  };
}

/** A policy as an author would write it (what the rules provider and a rollback produce). */
export function proposalFromPolicy(policy: Policy, reasoning = policy.reasoning): Proposal {
  return {
    mode: policy.mode,
    severity_keep: Object.fromEntries(SEVERITY_CLASSES.map((c) => [c, policy.severity_keep[c] ?? 1])) as Policy['severity_keep'],
    pattern_keep: Object.entries(policy.pattern_keep).map(([pattern_id, keep]) => ({ pattern_id, keep })),
    budget: { ...policy.budget },
    first_k_per_window: policy.first_k_per_window,
    keep_rules: policy.keep_rules.map((r) => ({ attribute: r.attribute, op: r.op, value: r.value ?? null })),
    anomaly_boost: { ...policy.anomaly_boost },
    reasoning,
  };
}
