// Whether a pattern is boosted now: an anomaly is open on it, or closed less than the policy's cooldown ago —
// and only while what the anomaly is about lasts (see BoostScope), judged on the pattern's recent rate
// (recent_rate.ts). A spike or an upward shift: while it runs at EXCESS × the usual rate or more. A drop, a
// silence, a downward shift: while it runs below DEFICIT × it. Back at the usual rate, nothing is boosted,
// however long the anomaly stays open or the cooldown lasts — one spike once kept five minutes of a pattern
// whole, and traffic back after a lull kept its first minutes whole.
import type { AnomalyView } from '../anomaly/factory.js';
import type { BoostScope } from '../anomaly/tracker.js';
import { RecentRate } from './recent_rate.js';

// Under a spike, a pattern running at this many times its usual rate still has an excess; under a drop, one
// below this share of it still runs short.
const EXCESS = 1.5;
const DEFICIT = 0.5;

export class BoostGate {
  /** Per boosted pattern: until when (the cooldown), what is boosted of it, and its recent rate. */
  readonly #state = new Map<string, { until: number; scope: BoostScope; rate: RecentRate }>();

  /** `windowMs`: the sampler's window (the recent rate is measured over two quarter-window spans). */
  constructor(private readonly windowMs: number) {}

  boosted(anomalies: AnomalyView, cooldownSeconds: number, service: string, pattern: string, seenInWindow: number, windowStart: number, now: number): boolean {
    const key = `${service}\u0000${pattern}`;
    const scope = anomalies.boostFor(service, pattern);
    let state = this.#state.get(key);
    if (scope !== undefined) {
      const until = now + cooldownSeconds * 1000;
      if (state) {
        state.until = until;
        state.scope = scope;
      } else {
        // Counting starts now: the window so far stands in for the last half span.
        const span = this.windowMs / 4;
        const seeded = seenInWindow * Math.min(1, span / 2 / Math.max(1, now - windowStart));
        this.#state.set(key, (state = { until, scope, rate: new RecentRate(span, now, seeded) }));
      }
    } else if (!state) {
      return false;
    } else if (state.until <= now) {
      this.#state.delete(key);
      return false;
    }
    state.rate.note(now);
    const s = state.scope;
    if (s.kind === 'whole') return true;
    if (s.kind === 'excess') return state.rate.perSecond(now) >= EXCESS * s.usualPerSecond;
    return state.rate.perSecond(now) < DEFICIT * s.usualPerSecond;
  }
}
