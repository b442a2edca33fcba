// An LLM provider whose every call is timed: `logsift_llm_request_duration_seconds` by provider, purpose
// (policy, explanation) and outcome (ok, or the error's kind), on the daemon's clock — what the dashboard's
// LLM latency panel reads beside the tokens the tuner counts — and traced: an `llm.call` span under the
// request's trace context, with the model and the tokens.
import type { Clock } from '../../pipeline/clock.js';
import type { Telemetry } from '../../pipeline/telemetry.js';
import { ProviderError, type PolicyProvider, type ProposalRequest, type ProviderReply } from './provider.js';
import { SpanKind } from '@opentelemetry/api';
import { inSpan } from '../../pipeline/self_tracing.js';

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
      const attributes = { 'gen_ai.system': provider.name, 'gen_ai.request.model': provider.model ?? '', 'logsift.purpose': purpose, 'logsift.service': request.service };
      try {
        return await inSpan(telemetry.tracer, 'llm.call', { attributes, kind: SpanKind.CLIENT, parent: request.traceContext }, async (span) => {
          const reply = await provider.propose(request);
          span.setAttributes({ 'gen_ai.usage.input_tokens': reply.tokensIn, 'gen_ai.usage.output_tokens': reply.tokensOut, 'gen_ai.response.model': reply.model ?? provider.model ?? '' });
          return reply;
        });
      } catch (error) {
        outcome = error instanceof ProviderError ? error.kind : 'api';
        throw error;
      } finally {
        duration.observe({ provider: provider.name, purpose, outcome }, (clock.now() - started) / 1000);
      }
    },
  };
}
