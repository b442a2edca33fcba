// An LLM provider whose every call is timed: `logsift_llm_request_duration_seconds` by provider, purpose
// (policy, explanation) and outcome (ok, or the error's kind), on the daemon's clock — what the dashboard's
// LLM latency panel reads beside the tokens the tuner counts.
import type { Clock } from '../../pipeline/clock.js';
import type { Telemetry } from '../../pipeline/telemetry.js';
import { ProviderError, type PolicyProvider, type ProposalRequest, type ProviderReply } from './provider.js';

const BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];

export function measuredProvider(provider: PolicyProvider, telemetry: Telemetry, purpose: 'policy' | 'explanation', clock: Clock): PolicyProvider {
  if (provider.name === 'rules') return provider;
  const duration = telemetry.histogram({ name: 'logsift_llm_request_duration_seconds', help: 'LLM calls (retries included) by provider, purpose (policy, explanation) and outcome (ok, or the error\'s kind).', labelNames: ['provider', 'purpose', 'outcome'] as const, buckets: BUCKETS });
  return {
    name: provider.name,
    get model() {
      return provider.model;
    },
    async propose(request: ProposalRequest): Promise<ProviderReply> {
      const started = clock.now();
      let outcome = 'ok';
      try {
        return await provider.propose(request);
      } catch (error) {
        outcome = error instanceof ProviderError ? error.kind : 'api';
        throw error;
      } finally {
        duration.observe({ provider: provider.name, purpose, outcome }, (clock.now() - started) / 1000);
      }
    },
  };
}
