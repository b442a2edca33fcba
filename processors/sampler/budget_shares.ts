// Dynamic mode's budget, shared over a service's patterns (or, scope `global`, over the patterns of every
// service that opts in) from their recent loads in the ledger: at each window's start, and again (at most
// once a second) when a pattern with no share yet turns up, from its count so far.
import type { Budget, Policy } from '../../policy/policy.js';
import { dynamicKeep, type PatternLoad } from './dynamic_rates.js';
import type { Ledger, PatternRates } from './ledger.js';

/** Keep probability per pattern for the window in progress, that window's start, and when it was computed. */
export interface BudgetShares {
  keep: Map<string, number>;
  window: number;
  computedAt: number;
}

export const freshShares = (): BudgetShares => ({ keep: new Map(), window: -1, computedAt: 0 });

const POOL_KEY_SEPARATOR = '\u0000';

/**
 * Shares a budget over patterns' recent loads. What is kept whatever the budget says (errors, rules, first K)
 * and what pinned patterns keep count against it first; each budget that is set gives its own probabilities
 * and the tightest wins.
 */
export function shareBudget(budget: Budget, rates: ReadonlyMap<string, PatternRates>, pinned: (key: string) => number | undefined, windowSeconds: number, floor: number): Map<string, number> {
  const records = new Map<string, PatternLoad>();
  const bytes = new Map<string, PatternLoad>();
  const tightest = new Map<string, number>();
  let seen = 0;
  let spentRecords = 0;
  let spentBytes = 0;
  for (const [key, r] of rates) {
    seen += r.records;
    const bytesPerRecord = r.records > 0 ? r.bytes / r.records : 0;
    const open = Math.max(0, r.records - r.forced);
    const pin = pinned(key);
    const spent = r.forced + (pin === undefined ? 0 : open * pin);
    spentRecords += spent;
    spentBytes += spent * bytesPerRecord;
    if (pin !== undefined) continue;
    if (open === 0) {
      // Everything it sends is kept anyway: a record beyond that is a surprise, kept too.
      tightest.set(key, 1);
      continue;
    }
    records.set(key, { count: open, cost: open });
    bytes.set(key, { count: open, cost: open * bytesPerRecord });
  }
  const apply = (shares: Map<string, number>) => {
    for (const [key, p] of shares) tightest.set(key, Math.min(p, tightest.get(key) ?? 1));
  };
  if (budget.records_per_second !== null) apply(dynamicKeep(records, budget.records_per_second * windowSeconds - spentRecords, floor));
  if (budget.keep_fraction !== null) apply(dynamicKeep(records, budget.keep_fraction * seen - spentRecords, floor));
  if (budget.bytes_per_second !== null) apply(dynamicKeep(bytes, budget.bytes_per_second * windowSeconds - spentBytes, floor));
  return tightest;
}

export class BudgetSharer {
  /** How soon shares are recomputed within a window for patterns that have none yet. */
  readonly #reshareMs: number;
  /** Scope `global`: one set of shares over every such service's patterns. */
  readonly #global = freshShares();

  constructor(
    private readonly ledger: Ledger,
    private readonly windowMs: number,
    /** The floor no share goes below. */
    private readonly minKeep: number,
    /** The base policy, whose budget scope `global` shares. */
    private readonly basePolicy: Policy,
    private readonly policyOf: (service: string) => Policy,
  ) {
    this.#reshareMs = Math.min(1000, windowMs);
  }

  /** Policies changed: the global shares are computed again. */
  reset(): void {
    this.#global.window = -1;
  }

  /** The keep probability of a pattern of `service` under `policy` (dynamic), `own` its service's shares. */
  probability(policy: Policy, own: BudgetShares, service: string, pattern: string, windowStart: number, now: number): number {
    const global = policy.budget.scope === 'global';
    const shares = global ? this.#global : own;
    const key = global ? `${service}${POOL_KEY_SEPARATOR}${pattern}` : pattern;
    const stale = shares.window !== windowStart || (!shares.keep.has(key) && now - shares.computedAt >= this.#reshareMs);
    if (stale) {
      shares.keep = global ? this.#shareGlobal(now) : shareBudget(policy.budget, this.ledger.rates(service, now, this.#reshareMs), (p) => policy.pattern_keep[p], this.windowMs / 1000, this.minKeep);
      shares.window = windowStart;
      shares.computedAt = now;
    }
    // A pattern new since the last share-out is kept until the next one includes it.
    return shares.keep.get(key) ?? 1;
  }

  /** Scope `global`: the base policy's budget over the patterns of every service that opts in. */
  #shareGlobal(now: number): Map<string, number> {
    const rates = new Map<string, PatternRates>();
    for (const other of this.ledger.services()) {
      const policy = this.policyOf(other);
      if (policy.mode !== 'dynamic' || policy.budget.scope !== 'global') continue;
      for (const [p, r] of this.ledger.rates(other, now, this.#reshareMs)) rates.set(`${other}${POOL_KEY_SEPARATOR}${p}`, r);
    }
    const pinned = (key: string) => {
      const at = key.indexOf(POOL_KEY_SEPARATOR);
      return this.policyOf(key.slice(0, at)).pattern_keep[key.slice(at + 1)];
    };
    return shareBudget(this.basePolicy.budget, rates, pinned, this.windowMs / 1000, this.minKeep);
  }
}
