// Per-client rate limits: a token bucket per client (on the control API the token's name or the JWT's
// subject, else the address; on the receivers the tenant — its token, else its address), refilled at
// `per_second` up to `burst`; a request costs one, or its records. Over it: 429 / RESOURCE_EXHAUSTED with a
// retry delay. A request larger than the whole burst passes when the bucket is full and leaves it in debt
// (else it could never pass). Buckets of idle clients are forgotten (an LRU), so the table stays bounded.
import { LRUCache } from 'lru-cache';
import { tokenDigest } from './token_store.js';

/** Who a receiver's request is from: its token (as a digest: the table holds no secret), else its address. */
export function tenantOf(authorization: string | undefined, address: string | undefined): string {
  return authorization ? `token ${tokenDigest(authorization).toString('hex', 0, 8)}` : `address ${address ?? ''}`;
}

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

  /** 0 when the request may go (and `cost` is taken); otherwise the seconds until it may. */
  take(client: string, cost = 1): number {
    const now = this.now();
    const bucket = this.#buckets.get(client) ?? { tokens: this.config.burst, at: now };
    bucket.tokens = Math.min(this.config.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.config.per_second);
    bucket.at = now;
    this.#buckets.set(client, bucket);
    const needed = Math.min(cost, this.config.burst);
    if (bucket.tokens >= needed) {
      bucket.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((needed - bucket.tokens) / this.config.per_second));
  }
}
