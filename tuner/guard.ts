// Every author's policy passes here before it can run: an LLM reply is untrusted input and a user can err.
// A reply is parsed and validated against the proposal schema (unknown keys rejected); a policy is then
// clamped to the invariants — ERROR and above always kept, first occurrences kept, rates above the floor, a
// step changes a rate by at most `max_step` either way — and every clamp is recorded.
import { compileConfigSchema } from '../config/schema_validator.js';
import { ALWAYS_KEPT, ALWAYS_KEPT_FROM, MIN_FIRST_K, effectiveFloor } from '../policy/invariants.js';
import { SEVERITY_CLASSES } from '../policy/severity.js';
import { validatePolicy, type Policy } from '../policy/policy.js';
import type { TunerConfig } from './config.js';
import { PROPOSAL_SCHEMA, type Proposal } from './proposal_schema.js';

export interface Clamp {
  path: string;
  from: unknown;
  to: unknown;
  rule: string;
}

export type ParseResult = { kind: 'parsed'; proposal: Proposal } | { kind: 'invalid_json' | 'schema'; reason: string };

const checkProposal = compileConfigSchema(PROPOSAL_SCHEMA);

/** The reply's text as a proposal, or why not. A single Markdown code fence around it is tolerated. */
export function parseProposal(text: string): ParseResult {
  const unfenced = text.trim().replace(/^```(?:json)?\s*\n([\s\S]*)\n```$/, '$1');
  let value: unknown;
  try {
    value = JSON.parse(unfenced);
  } catch (error) {
    return { kind: 'invalid_json', reason: `the reply is not JSON: ${(error as Error).message}` };
  }
  const problems = checkProposal(value);
  if (problems.length > 0) return { kind: 'schema', reason: problems.map((p) => `${p.path || '(reply)'}: ${p.message}`).join('; ') };
  return { kind: 'parsed', proposal: value as Proposal };
}

export type GuardResult = { kind: 'guarded'; policy: Policy; clamps: Clamp[] } | { kind: 'refused'; reason: string; clamps: Clamp[] };

/**
 * Clamps `candidate` to the invariants (policy/invariants.ts), as a step from `current`. The floor is the
 * guard's `min_keep` or the sampler's, whichever is higher: a policy below the sampler's floor would be
 * replayed and reported at rates the sampler never uses.
 */
export function guardPolicy(candidate: Policy, current: Policy, guard: TunerConfig['guard'], target: TunerConfig['target'], samplerMinKeep = 0): GuardResult {
  const floor = effectiveFloor(guard.min_keep, samplerMinKeep);
  const policy: Policy = structuredClone(candidate);
  const clamps: Clamp[] = [];
  const set = <T>(path: string, from: T, to: T, rule: string): T => {
    if (from !== to) clamps.push({ path, from, to, rule });
    return to;
  };
  const step = (path: string, value: number, previous: number | null | undefined): number => {
    if (previous === null || previous === undefined || previous <= 0) return value;
    const low = previous / guard.max_step;
    const high = previous * guard.max_step;
    if (value < low) return set(path, value, low, `a step changes it by at most ${guard.max_step}×`);
    if (value > high) return set(path, value, high, `a step changes it by at most ${guard.max_step}×`);
    return value;
  };
  const probability = (path: string, value: number, previous: number | undefined): number => {
    let p = value;
    if (!(p >= floor)) p = set(path, p, floor, `no keep probability below the floor ${floor}`);
    if (p > 1) p = set(path, p, 1, 'a probability is at most 1');
    return Math.min(1, step(path, p, previous));
  };

  for (const cls of SEVERITY_CLASSES) {
    const path = `severity_keep.${cls}`;
    const value = policy.severity_keep[cls];
    if (ALWAYS_KEPT.includes(cls)) {
      policy.severity_keep[cls] = set(path, value, 1, `${ALWAYS_KEPT_FROM} and above are always kept`);
    } else if (value !== undefined) {
      policy.severity_keep[cls] = probability(path, value, current.severity_keep[cls]);
    }
  }
  for (const [pattern, value] of Object.entries(policy.pattern_keep)) {
    policy.pattern_keep[pattern] = probability(`pattern_keep.${pattern}`, value, current.pattern_keep[pattern]);
  }
  if (policy.first_k_per_window < MIN_FIRST_K) policy.first_k_per_window = set('first_k_per_window', policy.first_k_per_window, MIN_FIRST_K, 'the first record of every pattern in every window is kept');
  if (policy.first_k_per_window > guard.max_first_k) policy.first_k_per_window = set('first_k_per_window', policy.first_k_per_window, guard.max_first_k, `at most ${guard.max_first_k} first records`);

  const budget = policy.budget;
  if (budget.keep_fraction !== null) {
    let f = budget.keep_fraction;
    if (!(f >= floor)) f = set('budget.keep_fraction', f, floor, `no keep fraction below the floor ${floor}`);
    if (f > 1) f = set('budget.keep_fraction', f, 1, 'a fraction is at most 1');
    budget.keep_fraction = Math.min(1, step('budget.keep_fraction', f, current.budget.keep_fraction));
  }
  for (const key of ['records_per_second', 'bytes_per_second'] as const) {
    const value = budget[key];
    if (value === null) continue;
    if (!(value > 0)) {
      budget[key] = set(`budget.${key}`, value, null, 'a rate budget must be positive; unset instead');
      continue;
    }
    budget[key] = step(`budget.${key}`, value, current.budget[key]);
  }
  if (policy.mode === 'dynamic' && budget.records_per_second === null && budget.bytes_per_second === null && budget.keep_fraction === null) {
    budget.keep_fraction = set('budget.keep_fraction', null as number | null, target.keep_fraction, 'dynamic mode needs a budget: the cost target');
  }
  if (!(policy.anomaly_boost.keep >= guard.min_boost)) policy.anomaly_boost.keep = set('anomaly_boost.keep', policy.anomaly_boost.keep, guard.min_boost, `an anomaly keeps at least ${guard.min_boost} of its pattern`);
  if (policy.anomaly_boost.keep > 1) policy.anomaly_boost.keep = set('anomaly_boost.keep', policy.anomaly_boost.keep, 1, 'a probability is at most 1');
  if (!(policy.anomaly_boost.cooldown_seconds >= 0)) policy.anomaly_boost.cooldown_seconds = set('anomaly_boost.cooldown_seconds', policy.anomaly_boost.cooldown_seconds, 0, 'a cooldown is not negative');

  const problems = validatePolicy(policy);
  if (problems.length > 0) return { kind: 'refused', reason: problems.map((p) => `${p.path}: ${p.message}`).join('; '), clamps };
  return { kind: 'guarded', policy, clamps };
}
