// The built-in author: a deterministic policy from the statistics, with no call out of the process. It is the
// default provider and the fallback when an LLM is unavailable. It steers the dynamic budget's keep fraction
// toward the cost target by the ratio of target to what the live sampler kept, with headroom, and leaves the
// rest of the policy in force as it is (what is kept regardless — errors, first records — is the invariant).
// While an anomaly is open it proposes no change.
import type { ServiceContext } from '../context.js';
import { proposalFromPolicy } from '../proposal_schema.js';
import { ProviderError, type PolicyProvider, type ProposalRequest, type ProviderReply } from './provider.js';

/**
 * Aim this far under the target: normal variation stays within it, and the hours whose floor (errors and one
 * record per pattern and window) is above the target are made up for by the others.
 */
const HEADROOM = 0.8;

export function rulesProposal(context: ServiceContext): string {
  const current = context.current_policy;
  // During an incident the boost inflates what is kept: steering by it would starve the service afterwards.
  if (context.open_anomalies.length > 0) {
    return JSON.stringify(proposalFromPolicy(current, `rules: ${context.open_anomalies.length} anomalies open; the policy stays as it is until they close`));
  }
  const aim = context.target.keep_fraction * HEADROOM;
  const previous = current.mode === 'dynamic' ? current.budget.keep_fraction : null;
  const live = context.live_keep_fraction;
  // Kept ∝ keep fraction above what is kept regardless: scale the fraction by how far the live share is off.
  const fraction = previous !== null && live !== null && live > 0 ? previous * (aim / live) : aim;
  const keepFraction = Number(Math.min(1, fraction).toPrecision(3));
  const bytesTarget = context.target.bytes_keep_fraction;
  const bytesPerSecond = bytesTarget !== null && context.bytes_per_second > 0 ? Number((bytesTarget * HEADROOM * context.bytes_per_second).toPrecision(3)) : current.budget.bytes_per_second;
  const reasoning =
    live === null
      ? `rules: no traffic seen yet; dynamic budget at ${keepFraction} of records (target ${context.target.keep_fraction})`
      : `rules: the live sampler kept ${live} of records against a target of ${context.target.keep_fraction}; dynamic budget ${previous ?? 'unset'} → ${keepFraction}`;
  const proposal = proposalFromPolicy(
    {
      ...current,
      mode: 'dynamic',
      budget: { ...current.budget, keep_fraction: keepFraction, bytes_per_second: bytesPerSecond },
      first_k_per_window: Math.max(1, current.first_k_per_window),
      anomaly_boost: { keep: 1, cooldown_seconds: Math.max(60, current.anomaly_boost.cooldown_seconds) },
    },
    reasoning,
  );
  return JSON.stringify(proposal);
}

export class RulesProvider implements PolicyProvider {
  readonly name = 'rules' as const;
  readonly model = null;

  async propose(request: ProposalRequest): Promise<ProviderReply> {
    if (!request.context) throw new ProviderError('api', 'the rules provider writes policies from a service context, and none was given');
    return { text: rulesProposal(request.context), model: null, tokensIn: 0, tokensOut: 0 };
  }
}
