// One interface for every author of policies: given a service's context and the rendered prompt, a reply
// whose text should be a proposal. Failures are typed so the breaker and the logs can tell them apart.
import { Backoff } from '../../pipeline/backoff.js';
import type { Clock } from '../../pipeline/clock.js';
import { sleep } from '../../pipeline/clock.js';
import { LogsiftError } from '../../pipeline/errors.js';
import type { ProviderName } from '../config.js';
import type { ServiceContext } from '../context.js';
import type { Context } from '@opentelemetry/api';

export interface ProposalRequest {
  service: string;
  /** The service's context (what the rules provider decides from); absent for other requests (alert explanations). */
  context?: ServiceContext;
  system: string;
  user: string;
  /** The strict reply schema, for structured outputs. */
  schema: Record<string, unknown>;
  /** Its name where the API asks for one (OpenAI's json_schema); `logsift_policy` by default. */
  schemaName?: string;
  /** The span the call is made under (a tuner round's), for the daemon's own traces. */
  traceContext?: Context;
}

export interface ProviderReply {
  text: string;
  model: string | null;
  tokensIn: number;
  tokensOut: number;
}

export type ProviderFailure = 'timeout' | 'api' | 'rate_limited' | 'network' | 'refusal' | 'truncated';

export class ProviderError extends LogsiftError {
  constructor(
    readonly kind: ProviderFailure,
    message: string,
    /** When the provider said to come back (ms); undefined when it did not say. */
    readonly retryAfterMs?: number,
    /** Worth another attempt (429 without a spend limit, 5xx, 529, network, timeout). */
    readonly retryable = false,
  ) {
    super('LOGSIFT_ERR_PROVIDER', message);
  }
}

export interface PolicyProvider {
  readonly name: ProviderName;
  readonly model: string | null;
  propose(request: ProposalRequest): Promise<ProviderReply>;
}

/** A signal that aborts after `ms` on `clock` (fake timers drive it in tests); `done` clears the timer. */
export function clockTimeout(clock: Clock, ms: number): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const handle = clock.setTimeout(() => controller.abort(new ProviderError('timeout', `no reply within ${ms} ms`, undefined, true)), ms);
  return { signal: controller.signal, done: () => clock.clearTimeout(handle) };
}

const MAX_RETRY_AFTER_MS = 60_000;

const RETRY_BACKOFF = { initialIntervalMs: 1000, maxIntervalMs: 30_000, multiplier: 2, randomizationFactor: 0.5 };

/**
 * Runs `attempt` up to 1 + `retries` times while it fails with a retryable ProviderError, waiting what the
 * provider asked (Retry-After, at most a minute) or the exporters' exponential backoff from one second.
 */
export async function withRetries<T>(attempt: () => Promise<T>, retries: number, clock: Clock): Promise<T> {
  const backoff = new Backoff(RETRY_BACKOFF);
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.retryable || n >= retries) throw error;
      await sleep(clock, Math.min(MAX_RETRY_AFTER_MS, error.retryAfterMs ?? backoff.next()));
    }
  }
}
