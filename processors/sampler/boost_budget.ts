// What anomaly boosts may keep on top of the policy, per service: a token bucket filled each window with a
// share of what the policy kept in the window before (the service's own budget), holding up to a number of
// windows' worth. A short spike is kept whole out of the bucket; a boost that goes on (a morning ramp, a
// deploy, a batch job every service sees) spends at most the share on average, so it cannot erase the
// savings — the failure seen in the field, where boosts kept 142k of 147k kept records. The bucket's size
// follows the service's usual keeps over hours, not the last windows: a spike at night (when the policy
// keeps little) is as worth keeping as one at noon, and what it may spend on average stays the share.
// What a boost kept is then paid back: each later window of the service's dynamic budget is cut by up to
// `payback` of the policy's usual keeps until the debt is repaid, so a spike kept whole costs the bill over
// the next minutes what it cost at once — the other patterns give way, each still kept first in its window
// and counted exactly. The debt is capped at what `burstWindows` windows of the cut repay.
export interface BoostBudgetOptions {
  /** Boost keeps per window, as a share of the policy's keeps per window (averaged). */
  share: number;
  /** Windows' worth the bucket holds: how long a burst can be kept whole. */
  burstWindows: number;
  /** Share of the policy's keeps per window that may go to repaying what boosts kept (0: never repaid). */
  payback: number;
}

interface ServiceBucket {
  window: number;
  policyKept: number;
  /** Policy keeps per window, an EWMA over completed windows. */
  perWindow: number;
  /** The same over hours (never below `perWindow`): what the bucket's size is measured by. */
  usualPerWindow: number;
  tokens: number;
  spent: number;
  /** Boosted records not yet repaid. */
  debt: number;
  /** What the window in progress keeps of the policy's dynamic probabilities (1 − its repayment share). */
  factor: number;
}

const PER_WINDOW_ALPHA = 0.3;
// About 500 windows' memory: eight hours of one-minute windows, a day's trough does not empty it.
const USUAL_ALPHA = 0.002;

export class BoostBudget {
  readonly #services = new Map<string, ServiceBucket>();

  constructor(private readonly options: BoostBudgetOptions) {}

  #bucket(service: string, windowStart: number): ServiceBucket {
    let b = this.#services.get(service);
    if (!b) this.#services.set(service, (b = { window: windowStart, policyKept: 0, perWindow: 0, usualPerWindow: 0, tokens: 0, spent: 0, debt: 0, factor: 1 }));
    if (windowStart > b.window) {
      // A new window: the last one's policy keeps teach the rate, and the bucket fills by its share.
      const learnt = b.perWindow > 0;
      b.perWindow = learnt ? b.perWindow + PER_WINDOW_ALPHA * (b.policyKept - b.perWindow) : b.policyKept;
      b.usualPerWindow = Math.max(b.perWindow, learnt ? b.usualPerWindow + USUAL_ALPHA * (b.policyKept - b.usualPerWindow) : b.policyKept);
      const refill = this.options.share * b.perWindow;
      const size = this.options.share * b.usualPerWindow * this.options.burstWindows;
      // Full once the rate is known: the first spike after a start is kept like any other.
      b.tokens = learnt ? Math.min(size, b.tokens + refill) : size;
      // This window repays what it is expected to save by the cut: its share of the policy's usual keeps.
      const cut = b.perWindow > 0 ? Math.min(this.options.payback, b.debt / b.perWindow) : 0;
      b.factor = 1 - cut;
      b.debt = Math.max(0, b.debt - cut * b.perWindow);
      b.window = windowStart;
      b.policyKept = 0;
      b.spent = 0;
    }
    return b;
  }

  /** A record the policy kept (forced or sampled): it is what the budget is a share of. */
  notePolicyKeep(service: string, windowStart: number): void {
    this.#bucket(service, windowStart).policyKept += 1;
  }

  /** Whether one more boosted record may be kept now. */
  available(service: string, windowStart: number): boolean {
    const b = this.#bucket(service, windowStart);
    // Before a window has taught the rate the bucket is empty; the window in progress may still spend its share.
    return b.tokens + (b.perWindow === 0 ? this.options.share * b.policyKept - b.spent : 0) >= 1;
  }

  /** Spends one boosted record's worth; false (and nothing spent) when the bucket is empty. */
  take(service: string, windowStart: number): boolean {
    if (!this.available(service, windowStart)) return false;
    const b = this.#bucket(service, windowStart);
    if (b.perWindow === 0) b.spent += 1;
    else b.tokens -= 1;
    this.#charge(b, 1);
    return true;
  }

  /** Records an anomaly brought back (the retro flush): kept beyond the policy, so repaid like a boost. */
  charge(service: string, windowStart: number, records: number): void {
    this.#charge(this.#bucket(service, windowStart), records);
  }

  #charge(b: ServiceBucket, records: number): void {
    b.debt = Math.min(b.debt + records, this.options.payback * b.usualPerWindow * this.options.burstWindows);
  }

  /** What the service's dynamic keep probabilities are multiplied by in this window (below 1 while repaying). */
  paybackFactor(service: string, windowStart: number): number {
    return this.#bucket(service, windowStart).factor;
  }
}
