// Anthropic's native Messages API through fetch, with structured output (`output_config.format`). Retries
// 429 (unless the spend limit is reached: waiting will not help), 529 and 5xx, honouring Retry-After.
import { parseRetryAfter } from '../../pipeline/send_result.js';
import type { Clock } from '../../pipeline/clock.js';
import type { TunerConfig } from '../config.js';
import { clockTimeout, ProviderError, withRetries, type PolicyProvider, type ProposalRequest, type ProviderReply } from './provider.js';

interface MessagesResponse {
  model?: string;
  content?: Array<{ type: string; text?: string }>;
  stop_reason?: string;
  usage?: { input_tokens?: number; output_tokens?: number };
}

export class AnthropicProvider implements PolicyProvider {
  readonly name = 'anthropic' as const;
  readonly model: string;

  constructor(
    private readonly config: TunerConfig['anthropic'],
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
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.config.base_url.replace(/\/+$/, '')}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': this.config.api_key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({
          model: this.model,
          max_tokens: this.config.max_tokens,
          system: request.system,
          messages: [{ role: 'user', content: request.user }],
          output_config: { format: { type: 'json_schema', schema: request.schema } },
        }),
        signal: timeout.signal,
      });
      text = await response.text();
    } catch (error) {
      if (timeout.signal.aborted && timeout.signal.reason instanceof ProviderError) throw timeout.signal.reason;
      throw new ProviderError('network', (error as Error).message, undefined, true);
    } finally {
      timeout.done();
    }
    if (!response.ok) throw failure(response, text, this.clock.now());
    let body: MessagesResponse;
    try {
      body = JSON.parse(text) as MessagesResponse;
    } catch {
      throw new ProviderError('api', `HTTP ${response.status} with a body that is not JSON`);
    }
    if (body.stop_reason === 'max_tokens') throw new ProviderError('truncated', 'the reply was cut off at max_tokens');
    if (body.stop_reason === 'refusal') throw new ProviderError('refusal', 'the model refused');
    const reply = (body.content ?? []).filter((c) => c.type === 'text').map((c) => c.text ?? '').join('');
    return { text: reply, model: body.model ?? this.model, tokensIn: body.usage?.input_tokens ?? 0, tokensOut: body.usage?.output_tokens ?? 0 };
  }
}

function failure(response: Response, text: string, now: number): ProviderError {
  let type = '';
  let message = text.slice(0, 200);
  try {
    const parsed = JSON.parse(text) as { error?: { type?: string; message?: string } };
    type = parsed.error?.type ?? '';
    message = parsed.error?.message ?? message;
  } catch {
    // Not the documented error shape: the status says enough.
  }
  const status = response.status;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
  const spendLimit = /spend|billing|credit/i.test(message);
  if (status === 429) return new ProviderError('rate_limited', `HTTP 429 ${type}: ${message}`, retryAfterMs, !spendLimit);
  const retryable = status === 529 || status >= 500 || status === 408;
  return new ProviderError('api', `HTTP ${status} ${type}: ${message}`, retryAfterMs, retryable);
}
