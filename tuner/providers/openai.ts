// OpenAI, or any OpenAI-compatible server (vLLM, LM Studio, Ollama's /v1): chat completions with structured
// outputs (`json_schema`, strict). The npm client retries 408/409/429/5xx itself, honouring Retry-After.
import OpenAI from 'openai';
import type { Clock } from '../../pipeline/clock.js';
import type { TunerConfig } from '../config.js';
import { clockTimeout, ProviderError, type PolicyProvider, type ProposalRequest, type ProviderReply } from './provider.js';

export class OpenAIProvider implements PolicyProvider {
  readonly name = 'openai' as const;
  readonly model: string;
  readonly #client: OpenAI;

  constructor(
    config: TunerConfig['openai'],
    private readonly timeoutMs: number,
    retries: number,
    private readonly clock: Clock,
  ) {
    this.model = config.model;
    this.#client = new OpenAI({ apiKey: config.api_key, baseURL: config.base_url, timeout: timeoutMs, maxRetries: retries });
  }

  async propose(request: ProposalRequest): Promise<ProviderReply> {
    // The whole call, retries included, within one timeout on the daemon's clock.
    const deadline = clockTimeout(this.clock, this.timeoutMs * 2);
    try {
      const completion = await this.#client.chat.completions.create(
        {
          model: this.model,
          messages: [
            { role: 'system', content: request.system },
            { role: 'user', content: request.user },
          ],
          response_format: { type: 'json_schema', json_schema: { name: request.schemaName ?? 'logsift_policy', strict: true, schema: request.schema } },
          temperature: 0,
        },
        { signal: deadline.signal },
      );
      const choice = completion.choices[0];
      if (!choice) throw new ProviderError('api', 'the reply has no choices');
      if (choice.message.refusal) throw new ProviderError('refusal', `the model refused: ${choice.message.refusal.slice(0, 200)}`);
      if (choice.finish_reason === 'length') throw new ProviderError('truncated', 'the reply was cut off at the token limit');
      return { text: choice.message.content ?? '', model: completion.model ?? this.model, tokensIn: completion.usage?.prompt_tokens ?? 0, tokensOut: completion.usage?.completion_tokens ?? 0 };
    } catch (error) {
      throw classify(error, deadline.signal);
    } finally {
      deadline.done();
    }
  }
}

function classify(error: unknown, signal: AbortSignal): ProviderError {
  if (error instanceof ProviderError) return error;
  if (signal.aborted && signal.reason instanceof ProviderError) return signal.reason;
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new ProviderError('timeout', error.message);
  if (error instanceof OpenAI.APIConnectionError) return new ProviderError('network', error.message);
  if (error instanceof OpenAI.APIError) {
    const kind = error.status === 429 ? 'rate_limited' : 'api';
    return new ProviderError(kind, `HTTP ${error.status ?? '?'}: ${error.message}`);
  }
  return new ProviderError('api', (error as Error).message ?? String(error));
}
