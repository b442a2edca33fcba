// A circuit breaker over one provider: `failures` in a row (timeouts, API errors, refusals, truncated replies
// and replies that fail validation alike) open it; while open the provider is not called; after `cooldownMs`
// one trial call is let through, and its outcome closes or reopens it.
import type { Clock } from '../pipeline/clock.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export class CircuitBreaker {
  #failures = 0;
  #openedAt: number | undefined;

  constructor(
    private readonly failures: number,
    private readonly cooldownMs: number,
    private readonly clock: Clock,
  ) {}

  get state(): BreakerState {
    if (this.#openedAt === undefined) return 'closed';
    return this.clock.now() - this.#openedAt >= this.cooldownMs ? 'half_open' : 'open';
  }

  /** Whether a call may go out now. */
  allows(): boolean {
    return this.state !== 'open';
  }

  succeeded(): void {
    this.#failures = 0;
    this.#openedAt = undefined;
  }

  failed(): void {
    this.#failures += 1;
    if (this.state === 'half_open' || this.#failures >= this.failures) this.#openedAt = this.clock.now();
  }
}
