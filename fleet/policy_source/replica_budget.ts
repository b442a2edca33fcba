// A per-service budget stays per service across replicas: each sidecar following a gateway's policy runs it
// with the rate budgets (records or bytes a second) cut to its share, which the gateway computes from every
// replica's reported records (or as equal parts) and returns with each stats report. A keep fraction needs no
// split — it is a share of whatever each replica sees — and a `global` budget is the local config's.
import { scaleRateBudget, type Policy } from '../../policy/policy.js';

/** A new share is applied when it differs from the one in force by more than this part of it. */
const SHARE_CHANGE = 0.1;

export function hasRateBudget(policy: Policy): boolean {
  return policy.budget.scope === 'service' && (policy.budget.records_per_second !== null || policy.budget.bytes_per_second !== null);
}

/** The policy as this replica runs it, for its `share` of the service's budgets. */
export function replicaPolicy(policy: Policy, share: number): Policy {
  if (share >= 1 || !hasRateBudget(policy)) return policy;
  return { ...scaleRateBudget(policy, share), reasoning: `${policy.reasoning} [this replica's share of the service's rate budget: ${share}]` };
}

/** Whether `next` should replace the share in force (`current` undefined: none known yet). */
export function shareMoved(current: number | undefined, next: number): boolean {
  return current === undefined || Math.abs(next - current) > SHARE_CHANGE * current;
}
