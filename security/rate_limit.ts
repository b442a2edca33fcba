// Per-client rate limits on the control API: a token bucket per client (the token's name or the JWT's
// subject when authenticated, else the address), refilled at `per_second` up to `burst`. Over it: 429 with
// Retry-After. Buckets of idle clients are forgotten (an LRU), so the table stays bounded.
import { LRUCache } from 'lru-cache';

export interface RateLimitConfig {
  per_second: number;
  burst: number;
}

export class RateLimiter {
  readonly #buckets = new LRUCache<string, { tokens: number; at: number }>({ max: 10_000 });

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number,
  ) {}

  /** 0 when the request may go; otherwise the seconds until it may. */
  take(client: string): number {
    const now = this.now();
    const bucket = this.#buckets.get(client) ?? { tokens: this.config.burst, at: now };
    bucket.tokens = Math.min(this.config.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.config.per_second);
    bucket.at = now;
    this.#buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.config.per_second));
  }
}
