// Ollama's /api/chat through the npm client, with `format` set to the proposal schema and `stream: false`.
// The client has neither a timeout nor retries: the fetch it is given aborts on our clock, and we retry.
import { Ollama } from 'ollama';
import { parseRetryAfter } from '../../pipeline/send_result.js';
import type { Clock } from '../../pipeline/clock.js';
import type { TunerConfig } from '../config.js';
import { clockTimeout, ProviderError, withRetries, type PolicyProvider, type ProposalRequest, type ProviderReply } from './provider.js';

export class OllamaProvider implements PolicyProvider {
  readonly name = 'ollama' as const;
  readonly model: string;

  constructor(
    private readonly config: TunerConfig['ollama'],
    private readonly timeoutMs: number,
    private readonly retries: number,
    private readonly clock: Clock,
  ) {
    this.model = config.model;
  }

  propose(request: ProposalRequest): Promise<ProviderReply> {
    return withRetries(() => this.#attempt(request), this.retries, this.clock);
  }

  async #attempt(request: ProposalRequest): Promise<ProviderReply> {
    const timeout = clockTimeout(this.clock, this.timeoutMs);
    // The client drops the response's headers on an error: the wrapper keeps Retry-After for the retry.
    let retryAfter: string | null = null;
    const timedFetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await fetch(input, { ...init, signal: timeout.signal });
      retryAfter = response.headers.get('retry-after');
      return response;
    };
    const client = new Ollama({ host: this.config.host, fetch: timedFetch });
    try {
      const response = await client.chat({
        model: this.model,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.user },
        ],
        format: request.schema,
        stream: false,
        options: { temperature: 0 },
      });
      if (response.done_reason === 'length') throw new ProviderError('truncated', 'the reply was cut off at the token limit');
      return { text: response.message.content, model: response.model ?? this.model, tokensIn: response.prompt_eval_count ?? 0, tokensOut: response.eval_count ?? 0 };
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      if (timeout.signal.aborted && timeout.signal.reason instanceof ProviderError) throw timeout.signal.reason;
      const status = (error as { status_code?: number }).status_code;
      if (status === undefined) throw new ProviderError('network', (error as Error).message, undefined, true);
      const retryAfterMs = parseRetryAfter(retryAfter, this.clock.now());
      throw new ProviderError(status === 429 ? 'rate_limited' : 'api', `HTTP ${status}: ${(error as Error).message}`, retryAfterMs, status === 429 || status >= 500);
    } finally {
      timeout.done();
    }
  }
}
